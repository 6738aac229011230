"""What the bot says on a screen (the mini-program and the pages in the official account).

The chat's words (wxapp.services.chat.texts) ask residents to reply a number or a keyword
(“人工”, “【进度】”) to the chat; on a screen the suggestions are buttons, and the quickest way
to a person is the office's phone."""
from __future__ import annotations

from wxapp.services import township_settings


def suggestions_text(suggestions: list[dict]) -> str:
    # The suggestions themselves are in the answer's ``suggestions``, shown as buttons.
    return "您是不是想问下面这些问题？点一下就能看到答案；都不是的话，可以换个说法再问。"


def cannot_answer_text() -> str:
    s = township_settings.current()
    return (
        "抱歉，这个问题我还答不上来，已经记下来交给工作人员完善。\n"
        f"着急的话请拨打{s.office_name}电话{s.office_phone}（{s.office_hours}），"
        f"或到{s.office_address}当面咨询。"
    )
