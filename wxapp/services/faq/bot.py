"""The FAQ bot: match a question, answer / suggest / admit it cannot, and log the outcome.

Transports call ``ask`` (mini-program) or go through ``wxapp.services.chat.replies`` (official
account), which adds chat state: numbered suggestions and feedback on the last answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from wxapp import config
from wxapp.errors import ValidationFailed
from wxapp.extensions import db
from wxapp.faq.intents import entry_for, route
from wxapp.faq.knowledge_base import fill_placeholders
from wxapp.models import Clinic, SupplyItem
from wxapp.models.faq import KnowledgeEntry, QuestionLog
from wxapp.observability import metrics
from wxapp.security.masking import redact_identifiers
from wxapp.services import township_settings
from wxapp.services.chat import texts as chat_texts
from wxapp.services.faq import screen_texts
from wxapp.services.faq.commands import command_reply
from wxapp.services.faq.live_index import get_index

MAX_LOGGED_CHARS = 500


@dataclass
class BotAnswer:
    outcome: str  # answered / suggested / not_answered
    code: str | None
    answer: str
    confidence: float
    suggestions: list[dict] = field(default_factory=list)
    log_id: int | None = None
    # A command (转人工, 我的进度 …) rather than a question: the router's intent name.
    intent: str | None = None


def _clinic_names() -> str | None:
    # The clinics residents can book, as the booking pages list them.
    names = db.session.scalars(select(Clinic.name).filter_by(active=True)
                               .order_by(Clinic.id)).all()
    return "、".join(names) if names else None


def _supplies_fair_use() -> str | None:
    # The quotas residents meet at the cabinets, as the office has set them.
    condom = db.session.scalars(select(SupplyItem).filter_by(category="condom", active=True)
                                .order_by(SupplyItem.id)).first()
    if condom is None:
        return None
    return (f"避孕套每人每次最多{condom.per_pickup_limit}{condom.unit}，"
            f"每{condom.interval_days}天可领一次，每年最多{condom.yearly_limit}{condom.unit}")


# Placeholders whose values come from the database: read only when an answer uses them, so
# that most replies (on the official account's 5-second path) cost no query for them.
FROM_DATABASE = {"clinic_names": _clinic_names, "supplies_fair_use": _supplies_fair_use}


def placeholder_values(*answers: str) -> dict[str, str]:
    values = township_settings.current().reply_placeholders()
    for name, read in FROM_DATABASE.items():
        if any("{" + name + "}" in answer for answer in answers):
            value = read()
            if value:
                values[name] = value
    return values


def answer_for_code(code: str) -> str | None:
    entry = get_index().entries.get(code)
    if entry is None:
        return None
    return fill_placeholders(entry.answer, placeholder_values(entry.answer))


def count_hit(code: str) -> None:
    db.session.execute(update(KnowledgeEntry).where(KnowledgeEntry.code == code)
                       .values(hit_count=KnowledgeEntry.hit_count + 1))


def log_question(channel: str, text: str, outcome: str, code: str | None,
                 confidence: float) -> QuestionLog:
    entry = QuestionLog(channel=channel, text=redact_identifiers(text)[:MAX_LOGGED_CHARS],
                        outcome=outcome,
                        matched_code=code, confidence=round(confidence, 4))
    db.session.add(entry)
    db.session.flush()
    return entry


# The channel whose residents type keywords into a chat; every other channel is a screen.
CHAT_CHANNEL = "official_account"


def ask(text: str, channel: str) -> BotAnswer:
    """A message from the mini-program's question box: a command gets its reply (the same
    router as the official account's), anything else is a question for the knowledge base."""
    intent = route(text)
    if intent is not None:
        return BotAnswer("answered", entry_for(intent), command_reply(intent), 1.0,
                         intent=intent)
    return answer_question(text, channel)


def answer_question(text: str, channel: str) -> BotAnswer:
    """The knowledge base's answer, its hand-over hint worded for ``channel``: the chat's
    keywords (“回复人工”, “【进度】”) mean nothing on a screen."""
    texts = chat_texts if channel == CHAT_CHANNEL else screen_texts
    text = (text or "").strip()
    result = get_index().matcher.match(text, limit=3)
    suggestions = [{"code": c.code, "question": c.question} for c in result.candidates]
    if result.outcome == "answered":
        code = result.best.code
        answer = BotAnswer("answered", code, answer_for_code(code), result.confidence,
                           suggestions[1:])
        count_hit(code)
    elif result.outcome == "suggested":
        answer = BotAnswer("suggested", None, texts.suggestions_text(suggestions),
                           result.confidence, suggestions)
    else:
        answer = BotAnswer("not_answered", None, texts.cannot_answer_text(),
                           result.confidence, [])
    metrics.BOT.labels(channel=channel, outcome=answer.outcome).inc()
    if text:
        answer.log_id = log_question(channel, text, answer.outcome, answer.code,
                                     result.confidence).id
    return answer


FEEDBACK_TOKEN_MAX_AGE = 24 * 3600


def _feedback_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.settings().secret_key, salt="wxapp-faq-feedback")


def feedback_token(log_id: int) -> str:
    """Questions in the mini-program are anonymous: the asker rates the answer with this
    signed token, so nobody can rate answers they were not given."""
    return _feedback_serializer().dumps(log_id)


def record_feedback_by_token(token: str, useful: bool) -> None:
    try:
        log_id = _feedback_serializer().loads(token, max_age=FEEDBACK_TOKEN_MAX_AGE)
    except BadSignature:
        raise ValidationFailed("faq.feedback_token_invalid", "这条反馈已过期，谢谢您的关注。")
    # The first rating counts; tapping again changes nothing.
    db.session.execute(update(QuestionLog).where(QuestionLog.id == log_id,
                                                 QuestionLog.feedback.is_(None))
                       .values(feedback="useful" if useful else "not_useful"))


def record_feedback(log_id: int, useful: bool) -> bool:
    result = db.session.execute(
        update(QuestionLog).where(QuestionLog.id == log_id)
        .values(feedback="useful" if useful else "not_useful"))
    return result.rowcount == 1


def public_entries(category: str | None = None) -> list[dict]:
    chosen = [e for e in get_index().entries.values() if not category or e.category == category]
    values = placeholder_values(*(e.answer for e in chosen))
    return [{"code": e.code, "category": e.category, "question": e.question,
             "answer": fill_placeholders(e.answer, values)} for e in chosen]
