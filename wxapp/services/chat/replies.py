"""What the official account answers to a resident's text (typed or spoken).

Order matters: a pending hand-over takes the message as it is; then a number picks one of the
suggestions just offered; then 有用/没用 rates the last answer; then service keywords route to
actions (a resident who sends "进度" wants their own applications, not an article); only then
does the FAQ bot match the text.
"""
from __future__ import annotations

import re

from wxapp.services.accounts import residents
from wxapp.services.chat import handovers, texts
from wxapp.services.chat import pickup as chat_pickup
from wxapp.services.chat import progress as chat_progress
from wxapp.services.chat import state as chat_state
from wxapp.services.faq import bot as faq_bot

CHANNEL = "official_account"
_SPACE = re.compile(r"[\s，。！？!?,.~～、]+")
_DIGITS = str.maketrans("１２３４５６７８９０", "1234567890")

SERVICE_KEYWORDS = {
    "菜单": "menu", "帮助": "menu", "help": "menu", "?": "menu", "？": "menu", "你能做什么": "menu",
    "进度": "progress", "查进度": "progress", "查询进度": "progress", "申请进度": "progress",
    "预约": "booking", "孕检预约": "booking",
    "领取": "pickup", "领取码": "pickup",
    "人工": "human", "转人工": "human", "人工客服": "human", "人工服务": "human",
    "联系": "contact", "电话": "contact", "联系方式": "contact",
}
FEEDBACK = {"有用": True, "有帮助": True, "没用": False, "没有用": False, "没帮助": False}
CANCEL = {"取消", "算了", "退出"}
# Replies that close a conversation, not questions: matched against the knowledge base they
# drew suggestions (有用 → emergency contraception) or even an answer (知道了 → progress).
ACKNOWLEDGEMENTS = {
    "谢谢", "谢谢你", "谢谢您", "谢谢啦", "多谢", "感谢", "好的", "好的谢谢", "好", "好滴", "行",
    "嗯", "嗯嗯", "哦", "哦哦", "噢", "知道了", "明白了", "懂了", "收到", "ok", "okay", "👌",
    "[ok]", "[抱拳]", "[握手]", "[玫瑰]", "[微笑]",
}
# "查看进度", "我想预约", "帮我转人工": the keyword, wrapped in the words people put around it.
_KEYWORD_WRAPPING = re.compile(
    r"^(?:请|麻烦|帮我|我要|我想要|我想|我需要|我的|查看|查一下|查询一下|看一下|看看)+"
    r"|(?:一下|吧|啊|呢|了)+$")


def compact(text: str) -> str:
    return _SPACE.sub("", text).lower().translate(_DIGITS)


def service_action(text: str) -> str | None:
    key = compact(text)
    return SERVICE_KEYWORDS.get(key) or SERVICE_KEYWORDS.get(_KEYWORD_WRAPPING.sub("", key))


def reply_to_text(openid: str, text: str) -> str:
    text = (text or "").strip()
    key = compact(text)
    state = chat_state.load(openid)

    if state.get("awaiting_handover"):
        chat_state.save(openid, {}, previous=state)
        if key in CANCEL:
            return "已取消留言。还有其他问题随时问我。"
        resident = residents.resident_for_official_account(openid)
        handovers.leave_message(resident, CHANNEL, text)
        return texts.handover_received_text()

    if chat_pickup.in_progress(state):
        if key in CANCEL:
            chat_state.save(openid, {}, previous=state)
            return "已退出领取。还有其他问题随时问我。"
        reply = chat_pickup.reply_to_choice(openid, text, state)
        if reply is not None:
            return reply

    suggestions = state.get("suggestions") or []
    if key.isdigit() and suggestions:
        choice = int(key)
        if 1 <= choice <= len(suggestions):
            code = suggestions[choice - 1]
            answer = faq_bot.answer_for_code(code)
            if answer:
                faq_bot.count_hit(code)
                log = faq_bot.log_question(CHANNEL, suggestions_label(code), "answered", code, 1.0)
                chat_state.save(openid, {"last_log_id": log.id})
                return answer + texts.answer_feedback_hint()

    if key in FEEDBACK:
        # Rated once; a second 有用, or one after the answer's state has lapsed, is still
        # thanked and is not a question.
        if state.get("last_log_id"):
            faq_bot.record_feedback(state["last_log_id"], FEEDBACK[key])
            chat_state.save(openid, {}, previous=state)
        return texts.feedback_thanks_text(FEEDBACK[key])

    if key in ACKNOWLEDGEMENTS:
        return texts.acknowledgement_text()

    action = service_action(text)
    if action:
        return _service_reply(openid, action, state)

    answer = faq_bot.ask(text, CHANNEL)
    if answer.outcome == "answered":
        chat_state.save(openid, {"last_log_id": answer.log_id})
        return answer.answer + texts.answer_feedback_hint()
    if answer.outcome == "suggested":
        chat_state.save(openid, {"suggestions": [s["code"] for s in answer.suggestions]})
        return answer.answer
    chat_state.save(openid, {}, previous=state)
    return answer.answer


def suggestions_label(code: str) -> str:
    return f"[选择建议] {code}"


def _service_reply(openid: str, action: str, state: dict) -> str:
    if action == "human":
        chat_state.save(openid, {"awaiting_handover": True}, previous=state)
        return texts.handover_prompt_text()
    chat_state.save(openid, {}, previous=state)
    if action == "contact":
        return texts.contact_text()
    if action == "progress":
        return chat_progress.progress_text(openid)
    if action == "booking":
        return chat_progress.booking_text(openid)
    if action == "pickup":
        return chat_pickup.start(openid, {})
    return texts.menu_text()
