"""The FAQ knowledge base staff edit, what residents asked, and hand-overs to staff."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime, utcnow
from wxapp.security.encryption import EncryptedText


class KnowledgeEntry(TimestampMixin, db.Model):
    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(String(200))
    similar_questions: Mapped[list] = mapped_column(JSON, default=list)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class QuestionLog(db.Model):
    """One question and what the bot did with it.

    Deliberately no resident id or openid: what people ask about contraception or pregnancy
    must not be linkable to who asked. Feedback reaches the row through short-lived chat
    state in Redis instead.
    """
    __tablename__ = "faq_question_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                               index=True)
    channel: Mapped[str] = mapped_column(String(32))  # official_account / miniprogram
    text: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    matched_code: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    feedback: Mapped[str | None] = mapped_column(String(16))  # useful / not_useful
    # Set when staff turned this question into a similar question of an entry.
    resolved_code: Mapped[str | None] = mapped_column(String(64))


class NotOursQuestion(TimestampMixin, db.Model):
    """A question staff marked as another office's business or a doctor's (医保缴费, 身份证补办,
    吃什么药), from the unanswered list. The bot reads it beside the shipped ones
    (data/not_ours.yaml): a question like it is refused, not answered with a neighbouring
    entry. Questions logged with the same text leave the unanswered list while it is here."""
    __tablename__ = "faq_not_ours"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As logged: identifiers were redacted before the question was stored.
    text: Mapped[str] = mapped_column(String(500), unique=True)
    added_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Handover(TimestampMixin, db.Model):
    """A message a resident left for staff ("人工"); the answer goes back through WeChat."""
    __tablename__ = "faq_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    # "question" for the office; "filing_help" (请村里代办) for the workers of `village_id`.
    purpose: Mapped[str] = mapped_column(String(16), default="question")
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    message: Mapped[str] = mapped_column(EncryptedText("faq_handovers.message"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    answer: Mapped[str | None] = mapped_column(EncryptedText("faq_handovers.answer"))
    answered_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
