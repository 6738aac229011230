"""Notices: what a resident must learn (with a record of each channel tried to reach her),
and notices for staff in the console (reviewers are not reached through WeChat)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow


class StaffNotice(db.Model):
    __tablename__ = "staff_notices"
    # One notice of a kind per staff member per day: re-running the daily job adds nothing.
    __table_args__ = (UniqueConstraint("staff_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Also by text message: pending until sent outside quiet hours; None: console only.
    sms_status: Mapped[str | None] = mapped_column(String(16), index=True)
    sms_params: Mapped[list | None] = mapped_column(db.JSON)


NOTICE_CHANNELS = ("subscribe", "customer_service", "sms", "notice_list")


class ResidentNotice(db.Model):
    """One thing a resident must learn: a decision, a reminder, an offer. It is always in her
    notice list; ``delivered_via`` says which channel (if any) also reached her phone."""
    __tablename__ = "resident_notices"
    # The same event told twice (a job retried, a daily run repeated) is one notice.
    __table_args__ = (UniqueConstraint("resident_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    # What it is about, for staff ("registration:12", "booking:7"); never shown to others.
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Claimed by the delivery job, so that two runs of it never send twice.
    delivering_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_via: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    deliveries: Mapped[list[NoticeDelivery]] = relationship(
        back_populates="notice", order_by="NoticeDelivery.id")


class NoticeDelivery(db.Model):
    """One channel tried for one notice, and what came of it (no content: that is on the
    notice, and the channels' own texts are built from it)."""
    __tablename__ = "notice_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("resident_notices.id", ondelete="CASCADE"),
                                           index=True)
    channel: Mapped[str] = mapped_column(String(32))
    # sent / no_grant / window_closed / no_phone / no_consent / rate_limited / failed /
    # retrying / unavailable / listed
    status: Mapped[str] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    notice: Mapped[ResidentNotice] = relationship(back_populates="deliveries")
