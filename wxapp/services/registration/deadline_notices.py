"""Daily notices to reviewers about registrations near or past their deadline."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from wxapp.china_time import china_midnight, china_today
from wxapp.extensions import db
from wxapp.models import BirthRegistration, StaffUser
from wxapp.services.registration.applications import add_working_days
from wxapp.services.staff_notices import notify

DEADLINE_KIND = "registration_deadlines"


def remind_reviewers_of_deadlines(today: date | None = None) -> int:
    """Returns how many notices were added (0 when run twice on one day)."""
    today = today or china_today()
    start_of_today = china_midnight(today)
    tomorrow_end = add_working_days(start_of_today, 1) + timedelta(days=1)
    waiting = select(BirthRegistration.township_id,
                     func.count().filter(BirthRegistration.due_at < start_of_today),
                     func.count().filter(BirthRegistration.due_at >= start_of_today)
                     ).where(BirthRegistration.status == "submitted",
                             BirthRegistration.due_at < tomorrow_end
                             ).group_by(BirthRegistration.township_id)
    added = 0
    for township_id, overdue, due_soon in db.session.execute(waiting):
        text = f"生育登记待审核提醒：已超期 {overdue} 件，今明两个工作日内到期 {due_soon} 件。"
        reviewers = db.session.scalars(select(StaffUser).where(
            StaffUser.township_id == township_id, StaffUser.active.is_(True),
            StaffUser.role.in_(("township_admin", "reviewer"))))
        added += notify(list(reviewers), DEADLINE_KIND, text, today,
                        sms=("生育登记审核到期", f"{overdue + due_soon}件"))
    return added
