"""The demo has a clinic day today, so the clinic's side can be tried without touching the
database: the day's list, check-in with the codes the seed command shows, results."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from wxapp.extensions import db
from wxapp.formats.spreadsheets import CHINA
from wxapp.models import Clinic, ScreeningBooking
from wxapp.seeding.seed import (
    DEMO_STAFF_PASSWORD,
    demo_clinic_day_codes,
    seed_default,
    seed_demo,
    seed_demo_clinic_day,
)
from wxapp.transactions import commit


def _clinic_staff(client):
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-clinic", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_demo_clinic_can_check_in_and_record_results_today(app_ctx, client):
    seed_default()
    seed_demo()
    assert seed_demo_clinic_day() == {"clinic_day_bookings": 3}
    commit()
    today = datetime.now(CHINA).date()
    codes = demo_clinic_day_codes(today)
    assert len(codes) == 3
    staff = _clinic_staff(client)
    clinic_id = db.session.scalars(select(Clinic.id).order_by(Clinic.id)).first()

    day = client.get(f"/api/v1/staff/clinics/{clinic_id}/day", headers=staff,
                     query_string={"date": today.isoformat()}).get_json()
    assert [b["status"] for b in day] == ["scheduled"] * 3
    checked = client.post(f"/api/v1/staff/clinics/{clinic_id}/check-in", headers=staff,
                          json={"code": codes[0]})
    assert checked.status_code == 200, checked.get_json()
    results = client.post(f"/api/v1/staff/screening/bookings/{checked.get_json()['id']}/results",
                          headers=staff, json={"risk_category": "general", "risk_factors": [],
                                               "advice": "可以计划怀孕，孕前三个月开始补充叶酸。"})
    assert results.status_code == 200, results.get_json()

    # Seeding again the same day changes nothing.
    assert seed_demo_clinic_day() == {"clinic_day_bookings": 0}
    commit()
    assert demo_clinic_day_codes(today) == codes


def test_seeding_on_a_later_day_books_the_demo_couples_for_that_day(app_ctx):
    seed_default()
    seed_demo()
    seed_demo_clinic_day()
    commit()
    tomorrow = datetime.now(CHINA) + timedelta(days=1)

    assert seed_demo_clinic_day(now=tomorrow) == {"clinic_day_bookings": 3}
    commit()
    assert len(demo_clinic_day_codes(tomorrow.date())) == 3
    # The bookings that were still waiting moved: a couple has one booking waiting, not two.
    waiting = db.session.scalar(select(func.count()).select_from(ScreeningBooking)
                                .filter_by(status="scheduled"))
    assert waiting == 3


def test_the_seed_command_shows_todays_check_in_codes(app, app_ctx):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    codes = demo_clinic_day_codes(datetime.now(CHINA).date())
    assert len(codes) == 3
    assert f"codes {', '.join(codes)}" in result.output
