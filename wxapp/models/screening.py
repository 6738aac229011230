"""Free pre-pregnancy health checks (免费孕前优生健康检查): clinics, bookable slots, bookings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer,
                        String, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin


class Clinic(db.Model):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    # GCJ-02, as WeChat's location APIs use.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScreeningSlot(db.Model):
    __tablename__ = "screening_slots"
    __table_args__ = (
        UniqueConstraint("clinic_id", "starts_at"),
        # The database itself refuses an oversold slot, whatever the code above it does.
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    clinic: Mapped[Clinic] = relationship()


class ScreeningBooking(TimestampMixin, db.Model):
    __tablename__ = "screening_bookings"
    __table_args__ = (
        # One active booking per resident (the couple books together).
        Index("uq_screening_bookings_one_active", "resident_id", unique=True,
              postgresql_where=text("status = 'scheduled'"),
              sqlite_where=text("status = 'scheduled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("screening_slots.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    checkin_code: Mapped[str] = mapped_column(String(8))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    slot: Mapped[ScreeningSlot] = relationship()
