"""Stored answers to create requests, so a retried request gets the first answer."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    # The unique constraint is what makes two concurrent retries produce one write: the second
    # insert fails and its whole transaction, including the duplicate write, rolls back.
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # "resident:12", "staff:3"
    key: Mapped[str] = mapped_column(String(128))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 index=True)
