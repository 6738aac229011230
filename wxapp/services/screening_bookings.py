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
from wxapp.services.audit import Actor, record_audit
from wxapp.services.ownership import owned_by

CHINA = timezone(timedelta(hours=8))


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
    return book_taken(resident, slot_id)


def book_taken(resident: Resident, slot_id: int) -> ScreeningBooking:
    """The booking row for a place already taken in this transaction."""
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
    _check_cutoff(booking)
    booking.status = "cancelled"
    booking.cancelled_at = utcnow()
    _free_place(booking.slot_id)
    db.session.flush()
    return booking


def _check_cutoff(booking: ScreeningBooking) -> None:
    hours = _settings().booking_cancel_cutoff_hours
    if utcnow() > _aware(booking.slot.starts_at) - timedelta(hours=hours):
        raise Conflict("booking.past_cutoff",
                       f"检查前{hours}小时内不能在线取消或改约，请联系医院。")


def _free_place(slot_id: int) -> None:
    # The place is free for others at once.
    db.session.execute(update(ScreeningSlot).where(ScreeningSlot.id == slot_id)
                       .values(booked=ScreeningSlot.booked - 1)
                       .execution_options(synchronize_session=False))


def move(resident: Resident, booking_id: int, new_slot_id: int) -> ScreeningBooking:
    """Another slot in one transaction: the new place is taken before the old one is freed,
    so a resident who cannot get the new slot keeps the old one."""
    old = get_mine(resident, booking_id)
    if old.status != "scheduled":
        raise Conflict("booking.not_movable", "这个预约已经不能改约了。")
    _check_cutoff(old)
    _take_place(new_slot_id)
    old.status = "moved"
    old.cancelled_at = utcnow()
    _free_place(old.slot_id)
    db.session.flush()
    return book_taken(resident, new_slot_id)


def clinic_day(staff, clinic_id: int, day_start: datetime, day_end: datetime
               ) -> list[ScreeningBooking]:
    clinic = _clinic_for_staff(staff, clinic_id)
    return list(db.session.scalars(
        select(ScreeningBooking).join(ScreeningSlot).where(
            ScreeningSlot.clinic_id == clinic.id, ScreeningSlot.starts_at >= day_start,
            ScreeningSlot.starts_at < day_end, ScreeningBooking.status.in_(
                ("scheduled", "checked_in"))).order_by(ScreeningSlot.starts_at)))


def check_in(staff, clinic_id: int, code: str) -> ScreeningBooking:
    """A code is valid only at its clinic, on its day, once."""
    clinic = _clinic_for_staff(staff, clinic_id)
    now = utcnow()
    candidates = db.session.scalars(
        select(ScreeningBooking).join(ScreeningSlot).where(
            ScreeningSlot.clinic_id == clinic.id, ScreeningBooking.checkin_code == code.strip(),
            ScreeningBooking.status == "scheduled"))
    for booking in candidates:
        starts = _aware(booking.slot.starts_at)
        if starts.astimezone(CHINA).date() == now.astimezone(CHINA).date():
            booking.status = "checked_in"
            record_audit(Actor("staff", str(staff.id)), "booking.check_in", "screening_booking",
                         booking.id)
            db.session.flush()
            return booking
    raise NotFound("booking.code_invalid", "签到码无效：请核对医院和预约日期。")


def _clinic_for_staff(staff, clinic_id: int) -> Clinic:
    clinic = db.session.scalars(select(Clinic).filter_by(
        id=clinic_id, township_id=staff.township_id)).first()
    if clinic is None:
        raise NotFound("clinic.not_found", "没有找到该医院。")
    return clinic


def as_view(booking: ScreeningBooking) -> dict:
    slot = booking.slot
    return {"id": booking.id, "status": booking.status, "slot_id": slot.id,
            "clinic": slot.clinic.name, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
            "checkin_code": booking.checkin_code if booking.status == "scheduled" else None}
