"""What WeChat lets us send: one-time subscribe-message grants, per resident and template."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow


class SubscribeGrant(db.Model):
    __tablename__ = "subscribe_grants"
    __table_args__ = (UniqueConstraint("resident_id", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    # Each "accept" in wx.requestSubscribeMessage allows exactly one send.
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 onupdate=utcnow)
