"""The console's dashboard: the figures the township office looks at first, each drawn from
the capability that owns it and cut to the viewer's scope (staff_scope).

The township office and reviewers see the whole township. A village worker sees her own
village: its registrations, its checks against her village's share of the year's target (or
none, when the office has not shared the target out: the township's would mislead), its
points' pickups, stock and cabinets; not the bot's answer rate (the question log records no
place, so it cannot be cut to a village). Clinic staff work within their clinics, which
this page does not describe: they are refused.

Aggregates only, no person in them; read on screen many times a day, so not audited the way
the exports filed upwards are.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from wxapp.china_time import china_midnight, china_today, to_china, utc_now
from wxapp.errors import Forbidden
from wxapp.extensions import db
from wxapp.models import StaffUser, Township, Village
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.faq import admin as faq_admin
from wxapp.services.registration import reports as registration_reports
from wxapp.services.screening import stats as screening_stats
from wxapp.services.supplies import reports as supply_reports
from wxapp.services.supplies import staff_queries as supply_queries

VIEWERS = ("township_admin", "reviewer", "village_worker")
MONTHS_SHOWN = 12
BOT_DAYS = 30


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    """The ``count`` calendar months ending with today's, oldest first, as ``YYYY-MM``."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def township_wide(staff: StaffUser) -> bool:
    return staff.role != "village_worker"


def figures(staff: StaffUser, now: datetime | None = None) -> dict:
    if staff.role not in VIEWERS:
        raise Forbidden("dashboard.role_forbidden", "您的账号没有查看统计概览的权限。")
    now = now or utc_now()
    today = china_today(now)
    months = last_months(today)
    wide = township_wide(staff)
    return {
        "today": today,
        "scope": _scope_name(staff),
        "township_wide": wide,
        "registrations": registration_reports.submissions_by_month(staff, months),
        "programme": _programme(staff, today, wide),
        "pickups": {"month": months[-1],
                    "points": supply_reports.pickups_by_point(staff, months[-1])},
        "stock_alerts": supply_queries.stock_alerts(staff),
        "offline_cabinets": [{**cabinet, "last_seen_at": cabinet["last_seen_at"] and
                              to_china(cabinet["last_seen_at"])}
                             for cabinet in supply_queries.offline_cabinets(staff)],
        "bot": _bot(today) if wide else None,
    }


def _scope_name(staff: StaffUser) -> str:
    if not township_wide(staff) and staff.village_id is not None:
        return db.session.get(Village, staff.village_id).name
    township = db.session.get(Township, staff.township_id)
    return township.name if township else ""


def _programme(staff: StaffUser, today: date, wide: bool) -> dict:
    year = screening_stats.programme_figures(staff, today.year, today)
    per_village: dict[str, int] = {}
    for row in year["rows"]:
        per_village[row["村/社区"]] = per_village.get(row["村/社区"], 0) + row["完成检查(对)"]
    villages = [{"village": v.name, "checked": per_village.pop(v.name, 0)}
                for v in db.session.scalars(scoped(select(Village), staff, Village.township_id,
                                                   Village.id).order_by(Village.code))]
    if sum(per_village.values()):
        villages.append({"village": "其他", "checked": sum(per_village.values())})
    # programme_figures measures a village worker against her village's share.
    target = year["target"]
    return {"year": year["year"], "checked": year["checks_done"], "target": target,
            "target_of": year["target_of"],
            "share": round(year["checks_done"] / target, 4) if target else None,
            "villages": villages}


def _bot(today: date) -> dict:
    since = china_midnight(today - timedelta(days=BOT_DAYS - 1))
    counts = faq_admin.answer_figures(since)
    return {**counts, "since": since.date(), "days": BOT_DAYS,
            "answer_rate": round(counts["answered"] / counts["questions"], 4)
            if counts["questions"] else None}
