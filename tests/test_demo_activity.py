"""`seed --demo` leaves a township that looks used, on whatever day it is run: the reports and
charts have figures in them, every book balances, and seeding again adds nothing."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.china_clock import at_china, every_fixed_moment
from tests.helpers import chart_series
from wxapp.china_time import china_today, utc_now
from wxapp.extensions import db
from wxapp.models import AuditLog, BirthRegistration, Pickup, Resident, ScreeningBooking
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_default, seed_demo, seed_demo_activity
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.transactions import commit

# Fixed days in China time: New Year just begun (UTC still in the old year), a leap day at
# both ends, mid-year, and the last half hour of a year.


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Resident, BirthRegistration, ScreeningBooking, Pickup, AuditLog))


def _admin(client):
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _fills_the_reports_once(client, now: datetime):
    seed_default()
    seed_demo()
    counts = seed_demo_activity(now)
    commit()
    assert counts == {"demo_registrations": 6, "demo_checks": 7, "demo_pickups": 4}
    assert ledger_problems() == []
    statuses = sorted(db.session.scalars(select(BirthRegistration.status)))
    assert statuses == ["approved"] * 3 + ["returned"] + ["submitted"] * 2

    admin = _admin(client)
    today = china_today(now)
    # The checks reach back about six months: in January most are last year's.
    years = [client.get("/api/v1/staff/screening/stats", headers=admin,
                        query_string={"year": year}).get_json()
             for year in (today.year - 1, today.year)]
    assert sum(y["checks_done"] for y in years) == 7
    assert all(y["target"] == 40 for y in years if y["checks_done"])
    assert years[1]["target"] == 40  # the year's target is set even before its first check
    rows = [row for y in years for row in y["rows"]]
    assert sum(r["高风险(对)"] for r in rows) == 1
    assert sum(r["未到检(对)"] for r in rows) == 1  # one couple of eight did not come
    assert sum(1 for y in years for m in y["by_month"] if m["checks"]) >= 5  # spread out
    workbook = load_workbook(io.BytesIO(client.get(
        "/api/v1/staff/screening/stats", headers=admin,
        query_string={"year": today.year, "format": "xlsx"}).data))
    assert len(chart_series(workbook["全年进度"])) == 3

    # Registrations and pickups happen "now": they are in this China month's reports.
    month = today.strftime("%Y-%m")
    registrations = client.get("/api/v1/staff/registrations/report", headers=admin,
                               query_string={"month": month}).get_json()
    assert sum(r["申请数"] for r in registrations) == 6
    supplies = client.get("/api/v1/staff/supplies/report", headers=admin,
                          query_string={"month": month}).get_json()
    assert sum(r["发放人次"] for r in supplies) == 4

    before = _counts()
    assert seed_demo_activity(now) == {"demo_activity": 0}
    commit()
    assert _counts() == before


def test_demo_activity_fills_the_reports_once(app_ctx, client):
    _fills_the_reports_once(client, utc_now())


@every_fixed_moment
def test_demo_activity_fills_the_reports_on_any_day(app_ctx, client, moment):
    # The services stamp what they do with the clock, so the clock is there too.
    with at_china(moment):
        _fills_the_reports_once(client, moment)
