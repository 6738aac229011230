"""One router for the commands residents type instead of questions (转人工, 我的进度, 预约,
领取, 谢谢, 你好), shared by the official account and the mini-program's question box.

The table lives in ``data/intents.yaml``; this module only decides whether a message IS one of
its phrases (after the same normalisation the matcher uses, so 轉人工 and ＰＲＯＧＲＥＳＳ-style
full-width input route alike). It never looks inside a longer question: "孕检预约了去不了怎么办"
is a question for the knowledge base, not the booking command.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from wxapp.faq.normalize import DATA, basic, strip_fillers

_SPACE = re.compile(r"[\s，。！？!?,.~～、]+")


@dataclass(frozen=True)
class Intents:
    by_phrase: dict[str, str]
    entries: dict[str, str]
    wrapping: re.Pattern


@lru_cache(maxsize=1)
def intents() -> Intents:
    data = yaml.safe_load((DATA / "intents.yaml").read_text(encoding="utf-8"))
    by_phrase: dict[str, str] = {}
    entries: dict[str, str] = {}
    for name, spec in data["intents"].items():
        if spec.get("entry"):
            entries[name] = spec["entry"]
        for phrase in spec["phrases"]:
            phrase = str(phrase)
            for key in {_raw_key(phrase), _key(phrase)} - {""}:
                if by_phrase.setdefault(key, name) != name:
                    raise ValueError(f"intent phrase {phrase!r} is listed twice")
    before = "|".join(re.escape(w) for w in sorted(data["wrapping"]["before"], key=len,
                                                    reverse=True))
    after = "|".join(re.escape(w) for w in sorted(data["wrapping"]["after"], key=len,
                                                   reverse=True))
    return Intents(by_phrase, entries, re.compile(f"^(?:{before})+|(?:{after})+$"))


def _raw_key(text: str) -> str:
    # Emoji and WeChat emoticons ([抱拳]) say "thanks" too, and normalisation drops them.
    return _SPACE.sub("", (text or "").lower())


def _key(text: str) -> str:
    return basic(text).replace(" ", "")


def route(text: str) -> str | None:
    """The intent a message is, or None when it is a question (or nothing)."""
    table = intents()
    raw = _raw_key(text)
    if not raw or len(raw) > 30:
        return None
    found = table.by_phrase.get(raw)
    if found:
        return found
    key = _key(text)
    for candidate in (key, strip_fillers(basic(text)).replace(" ", "")):
        if not candidate:
            continue
        found = table.by_phrase.get(candidate) or table.by_phrase.get(
            table.wrapping.sub("", candidate))
        if found:
            return found
    return None


def entry_for(intent: str) -> str | None:
    """The knowledge-base entry that explains what the intent does."""
    return intents().entries.get(intent)
