"""`seed --demo` leaves a township that looks used: the reports and charts have figures in
them, every book balances, and seeding again adds nothing."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.helpers import chart_series
from wxapp.extensions import db
from wxapp.formats.spreadsheets import CHINA
from wxapp.models import AuditLog, BirthRegistration, Pickup, Resident, ScreeningBooking
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_default, seed_demo, seed_demo_activity
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.transactions import commit


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Resident, BirthRegistration, ScreeningBooking, Pickup, AuditLog))


def _admin(client):
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_demo_activity_fills_the_reports_once(app_ctx, client):
    seed_default()
    seed_demo()
    counts = seed_demo_activity()
    commit()
    assert counts == {"demo_registrations": 6, "demo_checks": 7, "demo_pickups": 4}
    assert ledger_problems() == []
    statuses = sorted(db.session.scalars(select(BirthRegistration.status)))
    assert statuses == ["approved"] * 3 + ["returned"] + ["submitted"] * 2

    admin = _admin(client)
    now = datetime.now(CHINA)
    stats = client.get("/api/v1/staff/screening/stats", headers=admin,
                       query_string={"year": now.year}).get_json()
    assert (stats["target"], stats["checks_done"]) == (40, 7)
    assert stats["indicators"]["high_risk_share"] == round(1 / 7, 4)
    assert stats["indicators"]["no_show_rate"] == 0.125  # one couple of eight did not come
    assert sum(1 for m in stats["by_month"] if m["checks"]) >= 5  # spread over the year
    workbook = load_workbook(io.BytesIO(client.get(
        "/api/v1/staff/screening/stats", headers=admin,
        query_string={"year": now.year, "format": "xlsx"}).data))
    assert len(chart_series(workbook["全年进度"])) == 3

    month = now.strftime("%Y-%m")
    registrations = client.get("/api/v1/staff/registrations/report", headers=admin,
                               query_string={"month": month}).get_json()
    assert sum(r["申请数"] for r in registrations) == 6
    supplies = client.get("/api/v1/staff/supplies/report", headers=admin,
                          query_string={"month": month}).get_json()
    assert sum(r["发放人次"] for r in supplies) == 4

    before = _counts()
    assert seed_demo_activity() == {"demo_activity": 0}
    commit()
    assert _counts() == before
