"""Staff alerts by text message: a review deadline tomorrow, a cabinet offline, a point out
of stock. The console notice is made at once; its text goes out from the frequent job, and
never at night: one made in quiet hours waits until they end. A notice older than a day is
not texted any more (the console has it; a stale alert at breakfast helps nobody)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from wxapp.china_time import to_china
from wxapp.config import settings
from wxapp.extensions import db
from wxapp.models import StaffNotice, StaffUser
from wxapp.models.base import utcnow
from wxapp.sms.configured import sms_provider
from wxapp.sms.provider import SENT, SmsUnavailable

BATCH = 200
STALE_AFTER = timedelta(days=1)


def in_quiet_hours(now: datetime) -> bool:
    config = settings()
    hour = to_china(now).hour
    start, end = config.staff_sms_quiet_start_hour, config.staff_sms_quiet_end_hour
    return (start <= hour or hour < end) if start > end else (start <= hour < end)


def send_pending_alerts(now: datetime | None = None) -> int:
    """Returns how many were texted. A gateway that cannot answer ends the batch: what was
    sent is kept (the caller commits), the rest wait for the next run."""
    now = now or utcnow()
    if in_quiet_hours(now):
        return 0
    provider = sms_provider()
    pending = list(db.session.scalars(select(StaffNotice).filter_by(sms_status="pending")
                                      .order_by(StaffNotice.id).limit(BATCH)))
    sent = 0
    for notice in pending:
        staff = db.session.get(StaffUser, notice.staff_id)
        if provider is None:
            notice.sms_status = "unavailable"
        elif now - notice.created_at > STALE_AFTER:
            notice.sms_status = "stale"
        elif staff is None or not staff.active or not staff.phone:
            notice.sms_status = "no_phone"
        else:
            try:
                outcome = provider.send(staff.phone, "staff_alert",
                                        list(notice.sms_params or []))
            except SmsUnavailable:
                break  # the rest stay pending for the next run; those done are kept
            notice.sms_status = outcome.status
            sent += outcome.status == SENT
        db.session.flush()
    return sent
