"""Staff see which channel reached a resident with each notice about a booking, a message she
left, or (kind and channel only) a pickup: the staff who may read that record, and nobody
else (another village's worker, a clinic not hers: 404, as if it did not exist)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.console.dashboard_world import DashboardWorld
from tests.helpers import drain_jobs
from wxapp.extensions import db
from wxapp.models import Clinic, Pickup, ScreeningBooking, StaffUser
from wxapp.models.base import utcnow
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD
from wxapp.services.accounts.passwords import hash_password
from wxapp.services.chat import handovers
from wxapp.services.supplies import feedback
from wxapp.transactions import commit

OTHER_PASSWORD = "unused-in-these-tests"


@pytest.fixture
def world(app_ctx, sim, sms_gateway):
    world = DashboardWorld()
    world.village_worker("西岭村", "xl-notices")
    return world


def _headers(client, username, password=DEMO_STAFF_PASSWORD) -> dict:
    response = client.post("/api/v1/staff/auth/login",
                           json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _staff(client) -> dict[str, dict]:
    people = {name: _headers(client, name)
              for name in ("demo-admin", "demo-reviewer", "demo-village", "demo-clinic")}
    people["xl-notices"] = _headers(client, "xl-notices", OTHER_PASSWORD)
    return people


def test_a_bookings_notices_are_for_whoever_reads_the_booking(client, world):
    world.check("东湖村", utcnow() - timedelta(hours=1))
    drain_jobs()
    booking_id = db.session.scalars(select(ScreeningBooking.id)).one()
    staff = _staff(client)
    path = f"/api/v1/staff/screening/bookings/{booking_id}/notices"
    for name in ("demo-admin", "demo-reviewer", "demo-village", "demo-clinic"):
        response = client.get(path, headers=staff[name])
        assert response.status_code == 200, (name, response.get_json())
        [notice] = response.get_json()
        assert notice["kind"] == "screening_results_ready"
        assert notice["title"] == "孕前检查结果已出"
        assert notice["delivered_via"] == "notice_list"
        assert [a["channel"] for a in notice["attempts"]][-1] == "notice_list"
    assert client.get(path, headers=staff["xl-notices"]).status_code == 404
    assert client.get(f"/api/v1/staff/screening/bookings/{booking_id + 99}/notices",
                      headers=staff["demo-admin"]).status_code == 404


def test_a_clinic_reads_only_its_own_clinics_bookings(client, world):
    world.check("东湖村", utcnow() - timedelta(hours=1))
    booking_id = db.session.scalars(select(ScreeningBooking.id)).one()
    other = Clinic(township_id=world.township.id, name="别处卫生院", address="别处",
                   phone="025-00000000")
    db.session.add(other)
    db.session.flush()
    db.session.add(StaffUser(username="other-clinic", display_name="别处医生", role="clinic",
                             township_id=world.township.id, clinics=[other],
                             password_hash=hash_password(OTHER_PASSWORD)))
    commit()
    response = client.get(f"/api/v1/staff/screening/bookings/{booking_id}/notices",
                          headers=_headers(client, "other-clinic", OTHER_PASSWORD))
    assert response.status_code == 404


def test_a_pickups_notices_say_kind_and_channel_only(client, world):
    world.pickup("CAB-DH-01", utcnow() - timedelta(days=30), ("condom-m", 2))
    feedback.ask_follow_up_questions()
    commit()
    drain_jobs()
    pickup_id = db.session.scalars(select(Pickup.id)).one()
    staff = _staff(client)
    path = f"/api/v1/staff/supplies/pickups/{pickup_id}/notices"
    response = client.get(path, headers=staff["demo-village"])
    assert response.status_code == 200, response.get_json()
    [notice] = response.get_json()
    assert notice["kind"] == "pickup_follow_up" and "title" not in notice
    assert notice["delivered_via"] == "notice_list"
    assert "condom" not in str(notice) and "避孕" not in str(notice)
    assert client.get(path, headers=staff["xl-notices"]).status_code == 404
    # A village point's pickups are its worker's to follow up, not the office's.
    assert client.get(path, headers=staff["demo-admin"]).status_code == 404
    assert client.get(path, headers=staff["demo-reviewer"]).status_code == 403
    assert client.get(path, headers=staff["demo-clinic"]).status_code == 403


def test_a_messages_answer_shows_how_it_reached_her(client, world, sim):
    resident = world._resident()
    resident.oa_openid = "oa-reached"
    left = handovers.leave_message(resident, "official_account", "请村里代办。",
                                   purpose="filing_help", village_id=world.villages["东湖村"].id)
    commit()
    sim.call("POST", "/sim/user-wrote", json={"openid": "oa-reached"})
    staff = _staff(client)
    answered = client.post(f"/api/v1/staff/faq/handovers/{left.id}/answer",
                           headers=staff["demo-village"], json={"answer": "明天上午到您家。"})
    assert answered.status_code == 200, answered.get_json()
    drain_jobs()
    path = f"/api/v1/staff/faq/handovers/{left.id}/notices"
    for name in ("demo-village", "demo-admin", "demo-reviewer"):
        [notice] = client.get(path, headers=staff[name]).get_json()
        assert notice["delivered_via"] == "customer_service"
        assert notice["attempts"] == [{"channel": "customer_service", "status": "sent",
                                       "code": None, "at": notice["attempts"][0]["at"]}]
    assert client.get(path, headers=staff["xl-notices"]).status_code == 404
    assert client.get(path, headers=staff["demo-clinic"]).status_code == 403
