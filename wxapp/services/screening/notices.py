"""What couples are told about their pre-pregnancy check, by subscribe message after the
change commits: booked, offered a place from the waitlist, the day before, changed by the
clinic, results ready."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from wxapp import config
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningCoupleMember, ScreeningSlot
from wxapp.models.base import utcnow
from wxapp.services.resident_notices import BySms, BySubscribe, tell

SUBJECTS = {
    "confirmed": ("孕前检查预约成功", "请按时携带夫妻双方身份证到检"),
    "offered": ("候补到名额，请确认", "请在小程序中尽快确认，过时名额将让给下一位"),
    "reminder": ("明天孕前检查", "请空腹，携带夫妻双方身份证"),
    "clinic_closed": ("预约已取消（医院停诊）", "请在小程序中重新预约，给您带来不便敬请谅解"),
    "results_ready": ("孕前检查结果已出", "请在小程序中查看结果和建议"),
}


def slot_time_text(slot: ScreeningSlot) -> str:
    starts = slot.starts_at if slot.starts_at.tzinfo else slot.starts_at.replace(
        tzinfo=UTC)
    return starts.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def booking_notice(booking: ScreeningBooking, kind: str) -> None:
    """To every account of the couple the booking belongs to (the one that booked, and a
    spouse who joined), each by the first channel that reaches that person."""
    subject, note = SUBJECTS[kind]
    slot = booking.slot
    when = slot_time_text(slot)
    title, text = notice_text(kind, slot)
    # A text on a lock screen says "a health check", not which one.
    sms = (BySms("booking_reminder", [when[:10], when[11:], slot.clinic.name])
           if kind == "reminder" else BySms("service_update", ["健康检查预约", subject[-12:]]))
    for resident_id in _recipients(booking):
        tell(resident_id, f"screening_{kind}",
             dedupe_key=f"booking:{booking.id}:{kind}:{slot.id}", subject=f"booking:{booking.id}",
             title=title, text=text,
             link=f"pages/screening/booking?id={booking.id}",
             subscribe=BySubscribe(
                 config.settings().screening_notice_template_id,
                 {"thing1": subject, "time2": when, "thing3": slot.clinic.name, "thing4": note},
                 f"pages/screening/booking?id={booking.id}"),
             sms=sms)


def notice_text(kind: str, slot: ScreeningSlot) -> tuple[str, str]:
    """The title and text a couple reads about a booking on ``slot`` (staff see it before a
    closure sends it)."""
    subject, note = SUBJECTS[kind]
    return subject, f"{slot_time_text(slot)}，{slot.clinic.name}。{note}。"


def _recipients(booking: ScreeningBooking) -> list[int]:
    members = set(db.session.scalars(select(ScreeningCoupleMember.resident_id)
                                     .filter_by(couple_id=booking.couple_id)))
    return sorted(members | {booking.resident_id})


def send_day_before_reminders(today: date | None = None) -> int:
    """Once per booking, whatever how often the daily job runs."""
    today = today or datetime.now(CHINA).date()
    start = datetime.combine(today + timedelta(days=1), time.min, tzinfo=CHINA)
    due = list(db.session.scalars(select(ScreeningBooking).join(ScreeningSlot).where(
        ScreeningBooking.status == "scheduled", ScreeningBooking.reminded_at.is_(None),
        ScreeningSlot.starts_at >= start, ScreeningSlot.starts_at < start + timedelta(days=1))))
    for booking in due:
        booking.reminded_at = utcnow()
        booking_notice(booking, "reminder")
    db.session.flush()
    return len(due)
