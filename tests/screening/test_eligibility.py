"""Who the free check covers, with a clear reason when not: a couple planning a pregnancy,
local hukou or six months' residence, once per couple per child, one active booking per
couple, and a pause after repeated no-shows."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from tests.helpers import error_code, login
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningCouple, ScreeningSlot
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

COUPLE = "/api/v1/me/screening-couple"


def _book(client, headers, slot_id, **extra):
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot_id, **extra})


def test_booking_needs_the_couple_first(client, sim, make_slot):
    me = login(client, sim, "no-couple")
    response = _book(client, me, make_slot())
    assert response.status_code == 409 and error_code(response) == "screening.couple_required"
    assert db.session.get(ScreeningSlot, 1).booked == 0


def test_couple_form_checks_each_spouse(client, sim, home_village):
    me = login(client, sim, "form")
    body = couple_body(0, home_village)
    body["wife"], body["husband"] = body["husband"], body["wife"]  # swapped by mistake
    response = client.put(COUPLE, headers=me, json=body)
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert "男性" in details["wife.id_number"] and "女性" in details["husband.id_number"]
    assert db.session.scalars(select(ScreeningCouple)).first() is None
    bad_village = client.put(COUPLE, headers=me, json=couple_body(0, 999999))
    assert "village_id" in bad_village.get_json()["error"]["details"]


def test_non_local_couple_needs_six_months_residence(client, sim, home_village, make_slot):
    me = login(client, sim, "newcomers")
    body = couple_body(1, home_village)
    body["wife"]["hukou_region"] = body["husband"]["hukou_region"] = "510104"
    saved = client.put(COUPLE, headers=me, json=body).get_json()
    assert "居住满6个月" in saved["eligibility_problems"][0]
    refused = _book(client, me, make_slot())
    assert refused.status_code == 409 and error_code(refused) == "screening.not_eligible"
    assert "居住满6个月" in refused.get_json()["error"]["message"]
    recently = (date.today() - timedelta(days=60)).isoformat()
    client.put(COUPLE, headers=me, json=dict(body, residence_since=recently))
    assert error_code(_book(client, me, make_slot())) == "screening.not_eligible"
    long_ago = (date.today() - timedelta(days=200)).isoformat()
    saved = client.put(COUPLE, headers=me, json=dict(body, residence_since=long_ago)).get_json()
    assert saved["eligibility_problems"] == [] and saved["residence_verified"] is False
    assert _book(client, me, make_slot()).status_code == 201


def test_only_couples_planning_a_pregnancy(client, couple_for, make_slot):
    me = couple_for("not-planning", planning_pregnancy=False)
    response = _book(client, me, make_slot())
    assert error_code(response) == "screening.not_eligible"
    assert "计划怀孕" in response.get_json()["error"]["message"]


def test_either_spouse_books_for_the_couple_once(client, sim, home_village, make_slot):
    wife, husband = login(client, sim, "wife"), login(client, sim, "husband")
    for headers in (wife, husband):
        client.put(COUPLE, headers=headers, json=couple_body(7, home_village))
    code = client.post(f"{COUPLE}/join-code", headers=wife).get_json()["join_code"]
    assert client.post(f"{COUPLE}/join", headers=husband,
                       json={"join_code": code}).status_code == 200
    assert _book(client, wife, make_slot()).status_code == 201
    second = _book(client, husband, make_slot())
    assert second.status_code == 409 and error_code(second) == "booking.already_booked"
    assert "配偶" in second.get_json()["error"]["message"]


def test_one_free_check_per_child_unless_staff_allow_another(client, couple_for, make_slot,
                                                             staff_headers, home_village):
    me = couple_for("checked")
    booking_id = _book(client, me, make_slot()).get_json()["id"]
    db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
        status="completed"))
    commit()
    again = _book(client, me, make_slot())
    assert again.status_code == 409 and error_code(again) == "screening.already_checked"
    couple_id = db.session.scalars(select(ScreeningCouple.id)).one()
    allowed = client.post(f"/api/v1/staff/screening/couples/{couple_id}/allowances",
                          headers=staff_headers(township_of_village=home_village),
                          json={"reason": "妊娠丢失后再次备孕"})
    assert allowed.status_code == 201
    assert _book(client, me, make_slot()).status_code == 201
    assert error_code(_book(client, me, make_slot())) == "booking.already_booked"


def test_repeated_no_shows_pause_booking(client, couple_for, make_slot):
    me = couple_for("absent")
    for _ in range(2):
        booking_id = _book(client, me, make_slot()).get_json()["id"]
        db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
            status="missed"))
        commit()
    paused = _book(client, me, make_slot())
    assert paused.status_code == 409 and error_code(paused) == "booking.restricted"
    assert "未到检" in paused.get_json()["error"]["message"]
    assert paused.get_json()["error"]["details"]["restricted_until"]


def test_staff_verify_residence_within_their_scope(client, sim, home_village, staff_headers):
    me = login(client, sim, "verify")
    long_ago = (date.today() - timedelta(days=400)).isoformat()
    client.put(COUPLE, headers=me, json=couple_body(3, home_village, residence_since=long_ago))
    couple_id = db.session.scalars(select(ScreeningCouple.id)).one()
    # The demo staff belong to another township: the couple is not theirs to see.
    response = client.post(f"/api/v1/staff/screening/couples/{couple_id}/verify-residence",
                           headers=staff_headers())
    assert response.status_code == 404
    local = staff_headers(township_of_village=home_village)
    ok = client.post(f"/api/v1/staff/screening/couples/{couple_id}/verify-residence",
                     headers=local)
    assert ok.status_code == 200 and ok.get_json()["residence_verified"] is True
    assert ok.get_json()["wife_name"] == "王*"


def test_couple_form_starts_from_what_is_known(client, sim, home_village):
    from tests.factories import female_id
    from wxapp.models import Resident, ResidentProfile

    me = login(client, sim, "prefill")
    assert client.get(COUPLE, headers=me).get_json() == {}
    resident = db.session.scalars(select(Resident)).one()
    db.session.add(ResidentProfile(resident_id=resident.id, name="赵敏", id_number=female_id(),
                                   hukou_region_code="320102"))
    commit()
    known = client.get(COUPLE, headers=me).get_json()
    assert known["wife"]["name"] == "赵敏" and known["wife"]["id_number"] == female_id()
    client.put(COUPLE, headers=me, json=couple_body(9, home_village))
    assert client.get(COUPLE, headers=me).get_json()["husband"]["name"] == "李强"
