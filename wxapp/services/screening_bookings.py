"""Booking the free pre-pregnancy check.

A place is taken by one conditional UPDATE (booked = booked + 1 WHERE booked < capacity):
checking first and inserting afterwards is how public booking systems double-book. The
check constraint on the slot table is the last line of defence.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import Clinic, Resident, ScreeningBooking, ScreeningSlot
from wxapp.models.base import utcnow
from wxapp.services.ownership import owned_by


def _settings():
    return current_app.config["WXAPP"]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def list_clinics() -> list[Clinic]:
    return list(db.session.scalars(select(Clinic).filter_by(active=True).order_by(Clinic.id)))


def open_slots(clinic_id: int) -> list[ScreeningSlot]:
    now = utcnow()
    settings = _settings()
    return list(db.session.scalars(select(ScreeningSlot).where(
        ScreeningSlot.clinic_id == clinic_id, ScreeningSlot.closed.is_(False),
        ScreeningSlot.starts_at >= now + timedelta(hours=settings.booking_min_notice_hours),
        ScreeningSlot.starts_at <= now + timedelta(days=settings.booking_max_days_ahead),
    ).order_by(ScreeningSlot.starts_at)))


def _take_place(slot_id: int) -> None:
    now = utcnow()
    settings = _settings()
    taken = db.session.execute(
        update(ScreeningSlot)
        .where(ScreeningSlot.id == slot_id, ScreeningSlot.closed.is_(False),
               ScreeningSlot.booked < ScreeningSlot.capacity,
               ScreeningSlot.starts_at >= now + timedelta(hours=settings.booking_min_notice_hours),
               ScreeningSlot.starts_at <= now + timedelta(days=settings.booking_max_days_ahead))
        .values(booked=ScreeningSlot.booked + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken == 1:
        return
    slot = db.session.get(ScreeningSlot, slot_id)
    if slot is None or slot.closed:
        raise NotFound("booking.slot_not_found", "没有找到这个时段，请重新选择。")
    if slot.booked >= slot.capacity:
        raise Conflict("booking.slot_full", "这个时段已经约满了，请选择其他时段。")
    raise ValidationFailed("booking.slot_out_of_range",
                           "这个时段不在可预约的时间范围内，请选择其他时段。")


def book(resident: Resident, slot_id: int) -> ScreeningBooking:
    _take_place(slot_id)
    booking = ScreeningBooking(resident_id=resident.id, slot_id=slot_id, status="scheduled",
                               checkin_code=f"{secrets.randbelow(10 ** 6):06d}")
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # The partial unique index: this resident already holds a scheduled booking.
        raise Conflict("booking.already_booked",
                       "您已经有一个待检查的预约，如需换时间请先取消或改约。") from exc
    return booking


def my_bookings(resident: Resident) -> list[ScreeningBooking]:
    return list(db.session.scalars(select(ScreeningBooking).filter_by(resident_id=resident.id)
                                   .order_by(ScreeningBooking.id.desc())))


def get_mine(resident: Resident, booking_id: int) -> ScreeningBooking:
    return owned_by(resident, ScreeningBooking, booking_id, "booking.not_found",
                    "没有找到这个预约。")


def cancel(resident: Resident, booking_id: int) -> ScreeningBooking:
    booking = get_mine(resident, booking_id)
    if booking.status != "scheduled":
        raise Conflict("booking.not_cancellable", "这个预约已经不能取消了。")
    cutoff = _aware(booking.slot.starts_at) - timedelta(hours=_settings().booking_cancel_cutoff_hours)
    if utcnow() > cutoff:
        raise Conflict("booking.past_cutoff",
                       f"检查前{_settings().booking_cancel_cutoff_hours}小时内不能在线取消，"
                       "请联系医院。")
    booking.status = "cancelled"
    booking.cancelled_at = utcnow()
    # The place is free for others at once.
    db.session.execute(update(ScreeningSlot).where(ScreeningSlot.id == booking.slot_id)
                       .values(booked=ScreeningSlot.booked - 1)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return booking


def as_view(booking: ScreeningBooking) -> dict:
    slot = booking.slot
    return {"id": booking.id, "status": booking.status, "slot_id": slot.id,
            "clinic": slot.clinic.name, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
            "checkin_code": booking.checkin_code if booking.status == "scheduled" else None}
