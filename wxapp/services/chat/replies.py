"""What the official account answers to a resident's text (typed or spoken).

Order matters: a pending hand-over takes the message as it is; then a number picks one of the
suggestions just offered; then the shared intent router (``wxapp.faq.intents``, the same one
the mini-program's question box uses): 有用/没用 rate the last answer, thanks close the talk,
commands route to actions (a resident who sends "进度" wants their own applications, not an
article); only then does the FAQ bot match the text.
"""
from __future__ import annotations

import re

from wxapp.faq.intents import route
from wxapp.services.accounts import residents
from wxapp.services.chat import handovers, texts
from wxapp.services.chat import pickup as chat_pickup
from wxapp.services.chat import progress as chat_progress
from wxapp.services.chat import state as chat_state
from wxapp.services.faq import bot as faq_bot

CHANNEL = "official_account"
_SPACE = re.compile(r"[\s，。！？!?,.~～、]+")
_DIGITS = str.maketrans("１２３４５６７８９０", "1234567890")
# Leaving a flow (a pending hand-over, the pickup steps) is only a command inside one.
CANCEL = {"取消", "算了", "退出"}
FEEDBACK = {"useful": True, "not_useful": False}


def compact(text: str) -> str:
    return _SPACE.sub("", text).lower().translate(_DIGITS)


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

    intent = route(text)
    if intent in FEEDBACK:
        # Rated once; a second 有用, or one after the answer's state has lapsed, is still
        # thanked and is not a question.
        if state.get("last_log_id"):
            faq_bot.record_feedback(state["last_log_id"], FEEDBACK[intent])
            chat_state.save(openid, {}, previous=state)
        return texts.feedback_thanks_text(FEEDBACK[intent])

    if intent == "thanks":
        return texts.acknowledgement_text()
    if intent == "smalltalk":
        return texts.smalltalk_text()

    if intent:
        return _service_reply(openid, intent, state)

    answer = faq_bot.answer_question(text, CHANNEL)
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
    if action == "greeting":
        return texts.greeting_text()
    return texts.menu_text()
