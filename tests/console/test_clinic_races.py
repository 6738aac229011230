"""The clinic day's changes raced on PostgreSQL: a code scanned at two desks at once, and a
closure confirmed from two browsers at once, are each done once; the losers hear why, never a
5xx. Threads are released together by a barrier."""
from __future__ import annotations

import pytest

from tests.console.clinic_data import ClinicDay
from tests.helpers import all_at_once
from wxapp.china_time import china_today
from wxapp.models import ClinicClosure
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.postgres_only


def test_one_code_scanned_at_five_desks_at_once_checks_in_once(app):
    day = ClinicDay(app)
    token = app.test_client().post("/api/v1/staff/auth/login", json={
        "username": "demo-clinic", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    code = day.code(0)

    def scan():
        with app.test_client() as own:
            return own.post(f"/api/v1/staff/clinics/{day.town}/check-in", headers=headers,
                            json={"code": code})

    answers = all_at_once([scan] * 5)
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409, 409]
    assert {r.get_json()["error"]["code"] for r in answers if r.status_code == 409} == {
        "booking.already_checked_in"}
    assert day.status(0) == "checked_in" and day.audits("booking.check_in") == 1


def test_a_closure_confirmed_from_two_browsers_at_once_is_done_once(app, console):
    day = ClinicDay(app)
    staff = console.make_staff("clinic")
    browsers = [console.sign_in_as(staff) for _ in range(2)]
    tokens = [console.csrf(b, "/console/clinic/schedule") for b in browsers]
    today = china_today().isoformat()
    form = {"clinic": day.town, "first_day": today, "last_day": today, "reason": "停电检修"}

    def confirm(browser, token):
        return lambda: browser.post("/console/clinic/closures", data={**form,
                                                                      "csrf_token": token})

    answers = all_at_once([confirm(b, t) for b, t in zip(browsers, tokens, strict=True)])
    assert [r.status_code for r in answers] == [302, 302]
    assert day.count(ClinicClosure) == 1
    assert [day.status(n) for n in range(3)] == ["cancelled"] * 3
    assert day.audits("clinic.close_day") == 1
    told = day.notices("screening_clinic_closed")
    # Each couple's accounts once: as many notices as one closure makes, not two closures'.
    assert told == len({day.booking(n).resident_id for n in range(3)})
