"""Moving a booking, and the clinic checking couples in by code."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import error_code, login
from wxapp.china_time import to_china
from wxapp.extensions import db
from wxapp.models import Clinic, Resident, ScreeningBooking, ScreeningSlot
from wxapp.models.base import utcnow
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
from wxapp.transactions import commit


@pytest.fixture
def demo(app_ctx):
    seed_demo()
    commit()
    return {c.name: c.id for c in db.session.scalars(select(Clinic))}


def _clinic_headers(client, username="demo-clinic"):
    token = client.post("/api/v1/staff/auth/login", json={
        "username": username, "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _slot(clinic_id, starts, capacity=3):
    slot = ScreeningSlot(clinic_id=clinic_id, starts_at=starts, ends_at=starts + timedelta(hours=1),
                         capacity=capacity, booked=0)
    db.session.add(slot)
    db.session.commit()
    return slot.id


def test_move_takes_the_new_place_and_frees_the_old(client, sim, demo, couple_for):
    clinic = demo["示范镇卫生院"]
    first = _slot(clinic, utcnow() + timedelta(days=2))
    second = _slot(clinic, utcnow() + timedelta(days=3), capacity=1)
    me = couple_for("mover")
    booking = client.post("/api/v1/me/bookings", headers=me, json={"slot_id": first}).get_json()
    moved = client.post(f"/api/v1/me/bookings/{booking['id']}/move", headers=me,
                        json={"slot_id": second})
    assert moved.status_code == 200 and moved.get_json()["slot_id"] == second
    db.session.expire_all()
    assert db.session.get(ScreeningSlot, first).booked == 0
    assert db.session.get(ScreeningSlot, second).booked == 1


def test_move_to_a_full_slot_keeps_the_old_booking(client, sim, demo, couple_for):
    clinic = demo["示范镇卫生院"]
    first = _slot(clinic, utcnow() + timedelta(days=2))
    full = _slot(clinic, utcnow() + timedelta(days=3), capacity=1)
    client.post("/api/v1/me/bookings", headers=couple_for("taker"), json={"slot_id": full})
    me = couple_for("stayer")
    booking = client.post("/api/v1/me/bookings", headers=me, json={"slot_id": first}).get_json()
    response = client.post(f"/api/v1/me/bookings/{booking['id']}/move", headers=me,
                           json={"slot_id": full})
    assert response.status_code == 409 and error_code(response) == "booking.slot_full"
    mine = client.get("/api/v1/me/bookings", headers=me).get_json()
    assert [(b["slot_id"], b["status"]) for b in mine] == [(first, "scheduled")]


def _booking_today(clinic_id, user="patient"):
    resident = Resident(mp_openid=f"o_{user}")
    db.session.add(resident)
    db.session.flush()
    slot_id = _slot(clinic_id, utcnow())
    booking = ScreeningBooking(resident_id=resident.id, slot_id=slot_id, status="scheduled",
                               checkin_code="246810", couple_key=f"couple-{user}",
                               child_order=1)
    db.session.add(booking)
    db.session.commit()
    return booking.id


def test_check_in_by_code_at_its_clinic_on_its_day_once(client, demo):
    clinic = demo["示范镇卫生院"]
    booking_id = _booking_today(clinic)
    headers = _clinic_headers(client)
    # The township office sees both clinics: the code is simply not valid at the other one.
    other = client.post(f"/api/v1/staff/clinics/{demo['示范县妇幼保健院']}/check-in",
                        headers=_clinic_headers(client, "demo-admin"), json={"code": "246810"})
    assert other.status_code == 404 and error_code(other) == "booking.code_invalid"
    ok = client.post(f"/api/v1/staff/clinics/{clinic}/check-in", headers=headers,
                     json={"code": "246810"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "checked_in"
    assert db.session.get(ScreeningBooking, booking_id).status == "checked_in"
    again = client.post(f"/api/v1/staff/clinics/{clinic}/check-in", headers=headers,
                        json={"code": "246810"})
    # Said as what it is, with the time, not as a bad code; and nothing changes.
    assert again.status_code == 409 and error_code(again) == "booking.already_checked_in"
    checked_at = db.session.get(ScreeningBooking, booking_id).checked_in_at
    shown = to_china(checked_at).strftime("%H:%M")
    assert again.get_json()["error"]["message"] == f"该预约已签到（{shown}），不用再签到。"
    assert again.get_json()["error"]["details"]["booking_id"] == booking_id


def test_a_completed_booking_scanned_again_says_checked_in_not_invalid(client, demo):
    clinic = demo["示范镇卫生院"]
    booking_id = _booking_today(clinic, user="examined")
    booking = db.session.get(ScreeningBooking, booking_id)
    booking.status, booking.checked_in_at = "completed", utcnow()
    db.session.commit()
    again = client.post(f"/api/v1/staff/clinics/{clinic}/check-in",
                        headers=_clinic_headers(client), json={"code": "WXAPP-CHECKIN:246810"})
    assert again.status_code == 409 and error_code(again) == "booking.already_checked_in"


def test_a_couple_marked_missed_who_come_later_that_day_are_checked_in(client, demo):
    clinic = demo["示范镇卫生院"]
    booking_id = _booking_today(clinic, user="late-bus")
    db.session.get(ScreeningBooking, booking_id).status = "missed"
    db.session.commit()
    late = client.post(f"/api/v1/staff/clinics/{clinic}/check-in",
                       headers=_clinic_headers(client), json={"code": "246810"})
    assert late.status_code == 200 and late.get_json()["status"] == "checked_in"
    booking = db.session.get(ScreeningBooking, booking_id)
    db.session.refresh(booking)
    assert booking.status == "checked_in" and booking.checked_in_at is not None
    again = client.post(f"/api/v1/staff/clinics/{clinic}/check-in",
                        headers=_clinic_headers(client), json={"code": "246810"})
    assert again.status_code == 409 and error_code(again) == "booking.already_checked_in"


def test_check_in_by_scanning_the_qr_code(client, demo):
    clinic = demo["示范镇卫生院"]
    _booking_today(clinic, user="scanned")
    ok = client.post(f"/api/v1/staff/clinics/{clinic}/check-in",
                     headers=_clinic_headers(client), json={"code": "WXAPP-CHECKIN:246810"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "checked_in"
    forged = client.post(f"/api/v1/staff/clinics/{clinic}/check-in",
                         headers=_clinic_headers(client), json={"code": "OTHER:246810"})
    assert forged.status_code == 422


def test_code_for_another_day_is_refused(client, sim, demo, couple_for):
    clinic = demo["示范镇卫生院"]
    slot_id = _slot(clinic, utcnow() + timedelta(days=2))
    me = couple_for("tomorrow")
    code = client.post("/api/v1/me/bookings", headers=me,
                       json={"slot_id": slot_id}).get_json()["checkin_code"]
    response = client.post(f"/api/v1/staff/clinics/{clinic}/check-in",
                           headers=_clinic_headers(client), json={"code": code})
    assert response.status_code == 404


def test_residents_and_village_workers_cannot_check_in(client, sim, demo):
    clinic = demo["示范镇卫生院"]
    resident = login(client, sim, "not-staff")
    assert client.post(f"/api/v1/staff/clinics/{clinic}/check-in", headers=resident,
                       json={"code": "123456"}).status_code == 401
    village = _clinic_headers(client, "demo-village")
    assert client.post(f"/api/v1/staff/clinics/{clinic}/check-in", headers=village,
                       json={"code": "123456"}).status_code == 403
