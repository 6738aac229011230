"""Clinic staff are held to the clinics they work at: every clinic path answers 404 for
another clinic of the same township, and changes nothing there."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    ClinicClosure,
    Resident,
    ScreeningBooking,
    ScreeningFollowUp,
    ScreeningSchedule,
    ScreeningSlot,
)
from wxapp.models.base import utcnow
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
from wxapp.services.screening.schedules import CHINA
from wxapp.transactions import commit

STAFF = "/api/v1/staff"
RESULTS = {"risk_category": "general", "advice": "可以计划怀孕，孕前三个月补充叶酸。"}
# demo-clinic works at 示范镇卫生院 (the demo data says so); the county hospital is not hers.
OWN, OTHER = "示范镇卫生院", "示范县妇幼保健院"


def _headers(client, username):
    token = client.post(f"{STAFF}/auth/login", json={
        "username": username, "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _booking(clinic_id, user, starts, status="scheduled", code="135790"):
    resident = Resident(mp_openid=f"o_{user}")
    db.session.add(resident)
    db.session.flush()
    slot = ScreeningSlot(clinic_id=clinic_id, starts_at=starts,
                         ends_at=starts + timedelta(hours=1), capacity=3, booked=1)
    db.session.add(slot)
    db.session.flush()
    booking = ScreeningBooking(resident_id=resident.id, slot_id=slot.id, status=status,
                               checkin_code=code, couple_key=f"couple-{user}", child_order=1)
    db.session.add(booking)
    db.session.commit()
    return booking.id


@pytest.fixture
def world(client, app_ctx):
    """Both demo clinics, each with a booking today, one whose slot is over, and a checked
    couple whose results the township office recorded (so follow-ups are open)."""
    seed_demo()
    commit()
    clinics = {c.name: c.id for c in db.session.scalars(select(Clinic))}
    now = utcnow()
    admin = _headers(client, "demo-admin")
    found = {"clinics": clinics, "clinic": _headers(client, "demo-clinic")}
    for name, tag in ((OWN, "own"), (OTHER, "other")):
        found[tag] = {
            "clinic_id": clinics[name],
            "today": _booking(clinics[name], f"{tag}-today", now),
            "over": _booking(clinics[name], f"{tag}-over", now - timedelta(hours=3),
                             code="975310"),
            "checked": _booking(clinics[name], f"{tag}-checked", now - timedelta(hours=5),
                                status="checked_in", code="111111"),
        }
        recorded = client.post(f"{STAFF}/screening/bookings/{found[tag]['checked']}/results",
                               headers=admin, json=RESULTS)
        assert recorded.status_code == 200
        found[tag]["follow_up"] = db.session.scalars(select(ScreeningFollowUp.id).filter_by(
            booking_id=found[tag]["checked"])).first()
    found["day"] = now.astimezone(CHINA).date().isoformat()
    return found


def _calls(world, tag):
    """Every clinic path, aimed at the clinic `tag` ('own' or 'other')."""
    place = world[tag]
    clinic = f"{STAFF}/clinics/{place['clinic_id']}"
    booking = f"{STAFF}/screening/bookings/{place['checked']}"
    closing_day = (utcnow() + timedelta(days=9)).astimezone(CHINA).date().isoformat()
    return {
        "day list": ("get", f"{clinic}/day?date={world['day']}", None),
        "check-in": ("post", f"{clinic}/check-in", {"code": "135790"}),
        "missed": ("post", f"{clinic}/bookings/{place['over']}/missed", None),
        "schedule": ("get", f"{clinic}/schedule", None),
        "schedule change": ("put", f"{clinic}/schedule", {"windows": [
            {"weekday": 0, "starts": "08:00", "ends": "09:00", "capacity": 1}]}),
        "closure": ("post", f"{clinic}/closures", {"date": closing_day, "reason": "越权停诊"}),
        "results": ("post", f"{booking}/results", RESULTS),
        "results read": ("get", f"{booking}/results", None),
        "letter": ("get", f"{booking}/letter.pdf", None),
        "follow-up": ("post", f"{STAFF}/screening/follow-ups/{place['follow_up']}",
                      {"outcome": "unreachable"}),
    }


PATHS = (
    "day list", "check-in", "missed", "schedule", "schedule change", "closure", "results",
    "results read", "letter", "follow-up")


def _state(world, tag):
    place = world[tag]
    bookings = {b.id: b.status for b in db.session.scalars(select(ScreeningBooking).where(
        ScreeningBooking.id.in_([place["today"], place["over"], place["checked"]])))}
    return (bookings,
            db.session.scalar(select(func.count(ScreeningSchedule.id)).filter_by(
                clinic_id=place["clinic_id"])),
            db.session.scalar(select(func.count(ClinicClosure.id)).filter_by(
                clinic_id=place["clinic_id"])),
            db.session.get(ScreeningFollowUp, place["follow_up"]).status)


@pytest.mark.parametrize("path", PATHS)
def test_clinic_staff_get_404_at_a_clinic_they_do_not_work_at(client, world, path):
    method, url, body = _calls(world, "other")[path]
    before = _state(world, "other")
    response = getattr(client, method)(url, headers=world["clinic"], json=body)
    assert response.status_code == 404, response.get_json()
    db.session.expire_all()
    assert _state(world, "other") == before


@pytest.mark.parametrize("path", PATHS)
def test_clinic_staff_work_at_their_own_clinic(client, world, path):
    method, url, body = _calls(world, "own")[path]
    response = getattr(client, method)(url, headers=world["clinic"], json=body)
    assert response.status_code in (200, 201), (path, response.get_json())


def test_clinic_staff_list_only_their_clinics_and_follow_ups(client, world):
    clinics = client.get(f"{STAFF}/clinics", headers=world["clinic"]).get_json()
    assert [c["id"] for c in clinics] == [world["own"]["clinic_id"]]
    follow_ups = client.get(f"{STAFF}/screening/follow-ups", headers=world["clinic"]).get_json()
    assert {f["booking_id"] for f in follow_ups} == {world["own"]["checked"]}
    office = client.get(f"{STAFF}/screening/follow-ups",
                        headers=_headers(client, "demo-admin")).get_json()
    assert {f["booking_id"] for f in office} == {world["own"]["checked"],
                                                  world["other"]["checked"]}


def test_the_code_of_another_clinic_checks_nobody_in(client, world):
    response = client.post(f"{STAFF}/clinics/{world['other']['clinic_id']}/check-in",
                           headers=world["clinic"], json={"code": "135790"})
    assert error_code(response) == "clinic.not_found"
    assert db.session.get(ScreeningBooking, world["other"]["today"]).status == "scheduled"


def test_clinic_staff_with_no_clinic_see_none(client, world):
    from wxapp.models import StaffUser

    staff = db.session.scalars(select(StaffUser).filter_by(username="demo-clinic")).one()
    staff.clinics = []
    db.session.commit()
    assert client.get(f"{STAFF}/clinics", headers=world["clinic"]).get_json() == []
    schedule = client.get(f"{STAFF}/clinics/{world['own']['clinic_id']}/schedule",
                          headers=world["clinic"])
    assert schedule.status_code == 404


def test_couple_records_are_for_the_office_not_the_clinic(client, world, couple_for):
    from wxapp.models import ScreeningCouple

    couple_for("eligible")
    couple_id = db.session.scalars(select(ScreeningCouple.id)).first()
    response = client.get(f"{STAFF}/screening/couples/{couple_id}", headers=world["clinic"])
    assert response.status_code == 403 and error_code(response) == "auth.role_forbidden"
