"""Notices for staff in the console, one of a kind per person per day, and which of them
are worth a text message too (sent outside quiet hours by wxapp/services/staff_alerts.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from wxapp.china_time import china_today
from wxapp.extensions import db
from wxapp.models import StaffNotice, StaffUser


def notices_for(staff: StaffUser, limit: int = 50) -> list[StaffNotice]:
    return list(db.session.scalars(select(StaffNotice).filter_by(staff_id=staff.id)
                                   .order_by(StaffNotice.id.desc()).limit(limit)))


def notify(staff_members: list[StaffUser], kind: str, text: str,
           today: date | None = None, *, sms: tuple[str, str] | None = None) -> int:
    """One notice of `kind` per staff member per day, however often the cause repeats.
    ``sms``: (what, which), each a few words, to also text it (wxapp/services/staff_alerts)."""
    today = today or china_today()
    added = 0
    for member in staff_members:
        exists = db.session.scalars(select(StaffNotice.id).filter_by(
            staff_id=member.id, kind=kind, day=today)).first()
        if exists is None:
            db.session.add(StaffNotice(
                staff_id=member.id, kind=kind, day=today, text=text,
                sms_status="pending" if sms else None,
                sms_params=[value[:12] for value in sms] if sms else None))
            added += 1
    db.session.flush()
    return added
