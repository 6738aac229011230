"""停诊 over a range of days, as the console offers it: first what it would do (the days, the
bookings it would cancel, the notice each couple gets), then the same closure for real.

Invariant: a day is closed at most once (the closures table's unique constraint, which
``schedules.close_day`` turns into ``clinic.day_already_closed``). Closing a range skips the
days already closed, so a confirmation sent twice closes nothing and tells nobody twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from wxapp.china_time import CHINA, china_today
from wxapp.errors import Conflict, ValidationFailed
from wxapp.extensions import db
from wxapp.models import Clinic, ClinicClosure, ScreeningBooking, ScreeningSlot, StaffUser
from wxapp.models.screening import ACTIVE_STATUSES
from wxapp.services.screening import notices, schedules

# A closure longer than a season is a clinic that stopped the programme: set it inactive.
CLOSURE_MAX_DAYS = 92
REASON_MIN_CHARS, REASON_MAX_CHARS = 2, 100


@dataclass
class ClosureDay:
    day: date
    already_closed: bool
    slots: int = 0
    bookings: int = 0


@dataclass
class ClosurePlan:
    first: date
    last: date
    reason: str
    days: list[ClosureDay] = field(default_factory=list)
    # What one couple reads, for the first booking the closure would cancel (None: no one).
    sample_notice: tuple[str, str] | None = None

    @property
    def bookings(self) -> int:
        return sum(d.bookings for d in self.days)

    @property
    def days_to_close(self) -> list[ClosureDay]:
        return [d for d in self.days if not d.already_closed]


def check_range(first: date | None, last: date | None, reason: str,
                today: date | None = None) -> None:
    """Every problem at once, by field (``first_day``, ``last_day``, ``reason``)."""
    today = today or china_today()
    problems = {}
    if first is None:
        problems["first_day"] = "请填写停诊开始日期。"
    elif first < today:
        problems["first_day"] = "不能为已经过去的日期设置停诊。"
    if last is None:
        problems["last_day"] = "请填写停诊结束日期（只停一天就填同一天）。"
    elif first is not None and last < first:
        problems["last_day"] = "结束日期不能早于开始日期。"
    elif first is not None and (last - first).days + 1 > CLOSURE_MAX_DAYS:
        problems["last_day"] = f"一次最多设置{CLOSURE_MAX_DAYS}天停诊。"
    length = len(reason.strip())
    if length < REASON_MIN_CHARS:
        problems["reason"] = f"请填写停诊原因，至少{REASON_MIN_CHARS}个字。"
    elif length > REASON_MAX_CHARS:
        problems["reason"] = f"停诊原因最多{REASON_MAX_CHARS}个字（现在{length}个字）。"
    if problems:
        raise ValidationFailed("clinic.closure_invalid", "停诊设置填写有误，请按提示修改。",
                               details=problems)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=CHINA)
    return start, start + timedelta(days=1)


def plan(clinic: Clinic, first: date, last: date, reason: str) -> ClosurePlan:
    """What closing ``first``..``last`` would do now; changes nothing. Bookings made after
    the preview are cancelled too: the confirmation reports what was really done."""
    check_range(first, last, reason)
    closed = set(db.session.scalars(select(ClinicClosure.day).where(
        ClinicClosure.clinic_id == clinic.id, ClinicClosure.day >= first,
        ClinicClosure.day <= last)))
    result = ClosurePlan(first=first, last=last, reason=reason.strip())
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        entry = ClosureDay(day=day, already_closed=day in closed)
        if not entry.already_closed:
            start, end = _day_bounds(day)
            in_day = (ScreeningSlot.clinic_id == clinic.id, ScreeningSlot.starts_at >= start,
                      ScreeningSlot.starts_at < end)
            entry.slots = db.session.scalar(select(func.count(ScreeningSlot.id))
                                            .where(*in_day, ScreeningSlot.closed.is_(False)))
            first_booking = db.session.scalars(
                select(ScreeningBooking).join(ScreeningSlot)
                .where(*in_day, ScreeningBooking.status.in_(ACTIVE_STATUSES))
                .order_by(ScreeningSlot.starts_at, ScreeningBooking.id)).first()
            entry.bookings = db.session.scalar(
                select(func.count(ScreeningBooking.id)).join(ScreeningSlot)
                .where(*in_day, ScreeningBooking.status.in_(ACTIVE_STATUSES)))
            if first_booking is not None and result.sample_notice is None:
                result.sample_notice = notices.notice_text("clinic_closed", first_booking.slot)
        result.days.append(entry)
    return result


@dataclass
class ClosureDone:
    days_closed: list[date]
    days_already_closed: list[date]
    bookings_cancelled: int


def close_range(staff: StaffUser, clinic: Clinic, first: date, last: date,
                reason: str) -> ClosureDone:
    """Closes every day of the range not closed yet (each through ``schedules.close_day``:
    slots closed, bookings cancelled, each couple told once, audited)."""
    check_range(first, last, reason)
    done = ClosureDone([], [], 0)
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        try:
            outcome = schedules.close_day(staff, clinic, day, reason)
        except Conflict as err:
            if err.code != "clinic.day_already_closed":
                raise
            done.days_already_closed.append(day)
            continue
        done.days_closed.append(day)
        done.bookings_cancelled += outcome["bookings_cancelled"]
    return done


def closures_ahead(clinic: Clinic, today: date | None = None) -> list[ClinicClosure]:
    """The clinic's closed days from today on."""
    today = today or china_today()
    return list(db.session.scalars(select(ClinicClosure).where(
        ClinicClosure.clinic_id == clinic.id, ClinicClosure.day >= today)
        .order_by(ClinicClosure.day).limit(200)))
