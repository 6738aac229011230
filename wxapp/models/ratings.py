"""Residents' ratings of finished services (政务服务"好差评"), and the office's call-back on a
poor one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow
from wxapp.security.encryption import EncryptedText

RATED_SERVICES = ("registration", "screening", "pickup", "handover")
# The national five grades, best first.
SCORE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
POOR_SCORES = (1, 2)  # 差评: each opens a call-back for the office
CALLBACK_STATUSES = ("none", "open", "done", "appealed")


class ServiceRating(db.Model):
    __tablename__ = "service_ratings"
    # One rating per finished service: a double tap rates once.
    __table_args__ = (UniqueConstraint("resident_id", "subject"),
                      CheckConstraint("score between 1 and 5", name="score"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    service: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))  # "registration:12"
    score: Mapped[int] = mapped_column(Integer)
    # Free text may name people or conditions: encrypted like every other resident text.
    comment: Mapped[str | None] = mapped_column(EncryptedText("service_ratings.comment"))
    # Who handled the service (never shown whom they were rated by).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    callback_status: Mapped[str] = mapped_column(String(16), default="none")
    callback_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    callback_note: Mapped[str | None] = mapped_column(
        EncryptedText("service_ratings.callback_note"))
    callback_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    callback_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    appeal: Mapped[str | None] = mapped_column(EncryptedText("service_ratings.appeal"))
    appealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
