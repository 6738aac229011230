"""Clinic schedules: weekly windows become bookable slots some weeks ahead (a daily job), and a
closed day cancels every booking on it with a notice to the couple."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wxapp import config
from wxapp.china_time import CHINA
from wxapp.errors import Conflict, ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    ClinicClosure,
    ScreeningBooking,
    ScreeningSchedule,
    ScreeningSlot,
    StaffUser,
)
from wxapp.models.base import utcnow
from wxapp.models.screening import ACTIVE_STATUSES
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.screening import bookings, notices


@dataclass(frozen=True)
class Window:
    weekday: int
    starts: time
    ends: time
    capacity: int


CLINIC_FIELDS = ("name", "address", "phone", "latitude", "longitude", "active")


def clinics_for(staff: StaffUser) -> list[Clinic]:
    return list(db.session.scalars(scoped(select(Clinic), staff, Clinic.township_id, None,
                                          clinic_column=Clinic.id).order_by(Clinic.id)))


def save_clinic(staff: StaffUser, clinic: Clinic | None, data: dict) -> Clinic:
    """A new clinic of the staff member's township, or changes to one; an inactive clinic
    takes no new bookings and opens no new slots, and keeps the ones it has."""
    if clinic is None:
        clinic = Clinic(township_id=staff.township_id, active=True)
        db.session.add(clinic)
    for name in CLINIC_FIELDS:
        if name in data:
            setattr(clinic, name, data[name])
    db.session.flush()
    record_audit(Actor("staff", str(staff.id)), "clinic.saved", "clinic", clinic.id)
    return clinic


def schedule_of(clinic: Clinic) -> list[ScreeningSchedule]:
    return list(db.session.scalars(select(ScreeningSchedule).filter_by(
        clinic_id=clinic.id, active=True).order_by(ScreeningSchedule.weekday,
                                                   ScreeningSchedule.starts)))


def set_schedule(staff: StaffUser, clinic: Clinic, windows: list[Window]
                 ) -> list[ScreeningSchedule]:
    """Replaces the weekly template. Slots already generated stay as they are (couples may
    have booked them); new ones follow the new template."""
    check_windows(windows)
    ordered = sorted(windows, key=lambda w: (w.weekday, w.starts))
    db.session.execute(update(ScreeningSchedule).filter_by(clinic_id=clinic.id, active=True)
                       .values(active=False))
    for w in ordered:
        db.session.add(ScreeningSchedule(clinic_id=clinic.id, weekday=w.weekday, starts=w.starts,
                                         ends=w.ends, capacity=w.capacity, active=True))
    record_audit(Actor("staff", str(staff.id)), "clinic.schedule", "clinic", clinic.id,
                 {"windows": len(ordered)})
    db.session.flush()
    return schedule_of(clinic)


CAPACITY_MAX = 500
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def check_windows(windows: list[Window]) -> None:
    """Every window's problem at once, keyed ``windows.<n>`` by its place in ``windows``; the
    error's code and message are the first problem's."""
    problems: dict[str, tuple[str, str]] = {}
    for n, w in enumerate(windows):
        if not 0 <= w.weekday <= 6:
            problems[f"windows.{n}"] = ("schedule.weekday_invalid", "请选择星期几。")
        elif w.ends <= w.starts:
            problems[f"windows.{n}"] = ("schedule.window_invalid", "结束时间必须晚于开始时间。")
        elif not 1 <= w.capacity <= CAPACITY_MAX:
            problems[f"windows.{n}"] = ("schedule.capacity_invalid",
                                        f"可约人数应为1到{CAPACITY_MAX}之间的整数。")
    ordered = sorted(enumerate(windows), key=lambda pair: (pair[1].weekday, pair[1].starts))
    for (_, a), (n, b) in itertools.pairwise(ordered):
        if a.weekday == b.weekday and b.starts < a.ends:
            problems.setdefault(f"windows.{n}", ("schedule.windows_overlap",
                                                 "同一天的时段不能重叠。"))
    if problems:
        code, message = min(problems.items(), key=lambda item: int(item[0].split(".")[1]))[1]
        raise ValidationFailed(code, message,
                               details={key: text for key, (_, text) in problems.items()})


def generate_slots(today: date | None = None, weeks: int | None = None) -> int:
    """Slots from tomorrow to `weeks` ahead for every active clinic, skipping closed days.
    Returns how many were added; running it again adds none."""
    today = today or datetime.now(CHINA).date()
    weeks = weeks or config.settings().slot_generation_weeks
    added = 0
    for clinic in db.session.scalars(select(Clinic).filter_by(active=True)):
        windows = schedule_of(clinic)
        if not windows:
            continue
        closed = set(db.session.scalars(select(ClinicClosure.day).filter_by(clinic_id=clinic.id)))
        existing = set(db.session.scalars(select(ScreeningSlot.starts_at).where(
            ScreeningSlot.clinic_id == clinic.id,
            ScreeningSlot.starts_at >= datetime.combine(today, time.min, tzinfo=CHINA))))
        existing = {(s if s.tzinfo else s.replace(tzinfo=UTC)) for s in existing}
        for offset in range(1, weeks * 7 + 1):
            day = today + timedelta(days=offset)
            if day in closed:
                continue
            for w in windows:
                if w.weekday != day.weekday():
                    continue
                starts = datetime.combine(day, w.starts, tzinfo=CHINA)
                if starts in existing:
                    continue
                db.session.add(ScreeningSlot(clinic_id=clinic.id, starts_at=starts,
                                             ends_at=datetime.combine(day, w.ends, tzinfo=CHINA),
                                             capacity=w.capacity, booked=0))
                added += 1
    db.session.flush()
    return added


def close_day(staff: StaffUser, clinic: Clinic, day: date, reason: str) -> dict:
    """停诊: the day's slots close and every booking on them is cancelled with a notice."""
    closure = ClinicClosure(clinic_id=clinic.id, day=day, reason=reason.strip()[:100],
                            staff_id=staff.id)
    try:
        with db.session.begin_nested():
            db.session.add(closure)
    except IntegrityError:
        raise Conflict("clinic.day_already_closed", "这一天已经设置为停诊。") from None
    start = datetime.combine(day, time.min, tzinfo=CHINA)
    # Slot rows first, in id order, then their bookings: the lock order every booking change
    # keeps (see bookings.transition), so a resident cancelling meanwhile waits, or wins.
    slots = list(db.session.scalars(select(ScreeningSlot).where(
        ScreeningSlot.clinic_id == clinic.id, ScreeningSlot.starts_at >= start,
        ScreeningSlot.starts_at < start + timedelta(days=1))
        .order_by(ScreeningSlot.id).with_for_update()))
    cancelled = 0
    for slot in slots:
        for booking in db.session.scalars(select(ScreeningBooking).where(
                ScreeningBooking.slot_id == slot.id,
                ScreeningBooking.status.in_(ACTIVE_STATUSES)).order_by(ScreeningBooking.id)):
            if bookings.transition(booking, booking.status, status="cancelled",
                                   cancel_reason="clinic_closed", cancelled_at=utcnow(),
                                   offer_expires_at=None):
                notices.booking_notice(booking, "clinic_closed")
                cancelled += 1
    # Nobody holds a place on a closed slot any more.
    db.session.execute(update(ScreeningSlot).where(ScreeningSlot.id.in_([s.id for s in slots]))
                       .values(closed=True, booked=0)
                       .execution_options(synchronize_session=False))
    for slot in slots:
        db.session.refresh(slot)
    record_audit(Actor("staff", str(staff.id)), "clinic.close_day", "clinic", clinic.id,
                 {"day": day.isoformat(), "cancelled": cancelled})
    db.session.flush()
    return {"day": day.isoformat(), "slots_closed": len(slots), "bookings_cancelled": cancelled}
