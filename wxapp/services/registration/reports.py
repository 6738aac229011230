"""Monthly figures for reporting upwards: counts by village, child order and status, average
review time and overdue count. Aggregates only: no names, no ID numbers."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from wxapp.china_time import to_china
from wxapp.extensions import db
from wxapp.formats.spreadsheets import month_bounds
from wxapp.models import BirthRegistration, StaffUser, Village
from wxapp.models.base import utcnow
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit

STATUS_COLUMNS = {"submitted": "待审核", "returned": "已退回", "approved": "已登记",
                  "correction_requested": "已登记", "rejected": "未通过", "withdrawn": "已撤回"}
COLUMNS = ["村/社区", "申请数", "一孩", "二孩", "三孩及以上", "待审核", "已退回", "已登记",
           "未通过", "已撤回", "平均审核用时(小时)", "超期未审"]


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything here is stored in UTC.
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


def monthly_report(staff: StaffUser, month: str) -> list[dict]:
    start, end = month_bounds(month)
    query = scoped(select(BirthRegistration), staff, BirthRegistration.township_id,
                   BirthRegistration.village_id).where(
        BirthRegistration.submitted_at >= start, BirthRegistration.submitted_at < end)
    names = {v.id: v.name for v in db.session.scalars(select(Village))}
    rows: dict[str, Counter] = defaultdict(Counter)
    review_hours: dict[str, list[float]] = defaultdict(list)
    now = utcnow()
    for reg in db.session.scalars(query):
        village = names.get(reg.village_id, "—")
        counts = rows[village]
        counts["申请数"] += 1
        counts[{1: "一孩", 2: "二孩"}.get(reg.child_order, "三孩及以上")] += 1
        counts[STATUS_COLUMNS[reg.status]] += 1
        if reg.decided_at and reg.submitted_at:
            review_hours[village].append(
                (_aware(reg.decided_at) - _aware(reg.submitted_at)).total_seconds() / 3600)
        if reg.status == "submitted" and reg.due_at and _aware(reg.due_at) < now:
            counts["超期未审"] += 1
    record_audit(Actor("staff", str(staff.id)), "registration.report", "birth_registration",
                 None, {"month": month})
    report = []
    for village in sorted(rows):
        hours = review_hours[village]
        row = {"村/社区": village, **{c: rows[village].get(c, 0) for c in COLUMNS[1:-2]},
               "平均审核用时(小时)": round(sum(hours) / len(hours), 1) if hours else None,
               "超期未审": rows[village].get("超期未审", 0)}
        report.append(row)
    return report


def submissions_by_month(staff: StaffUser, months: list[str]) -> dict:
    """Applications submitted in each of ``months`` (China calendar months, oldest first) and
    in each village in scope over the same span, villages with none included.

    Counts only, for a screen the office reads every day: unlike the monthly report that is
    filed upwards, reading it is not audited."""
    start, _ = month_bounds(months[0])
    _, end = month_bounds(months[-1])
    query = scoped(select(BirthRegistration.village_id, BirthRegistration.submitted_at), staff,
                   BirthRegistration.township_id, BirthRegistration.village_id).where(
        BirthRegistration.submitted_at >= start, BirthRegistration.submitted_at < end)
    per_month: Counter = Counter()
    per_village: Counter = Counter()
    for village_id, submitted_at in db.session.execute(query):
        per_month[to_china(submitted_at).strftime("%Y-%m")] += 1
        per_village[village_id] += 1
    villages = db.session.scalars(scoped(select(Village), staff, Village.township_id,
                                         Village.id).order_by(Village.code))
    by_village = [{"village": v.name, "count": per_village.pop(v.id, 0)} for v in villages]
    if sum(per_village.values()):  # filed without a village, or one since moved away
        by_village.append({"village": "其他", "count": sum(per_village.values())})
    return {"months": [{"month": month, "count": per_month[month]} for month in months],
            "villages": by_village}
