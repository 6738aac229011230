"""Stored answers to create requests, so a retried request gets the first answer.

An answer can carry personal data (a registration echoes both ID numbers), so it is stored
encrypted and only for the replay window (``wxapp/web/idempotency.py``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow
from wxapp.security.encryption import EncryptedText


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    # The unique constraint is what makes two concurrent retries produce one write: the second
    # insert fails and its whole transaction, including the duplicate write, rolls back.
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # "resident:12", "staff:3"
    key: Mapped[str] = mapped_column(String(128))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    # Empty while the claim's own transaction runs the view; nobody else ever sees that state.
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(
        EncryptedText("idempotency_records.response_body"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 index=True)
