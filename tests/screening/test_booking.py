"""Booking the free pre-pregnancy check: places taken atomically, never twice."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningSlot


def _book(client, headers, slot_id, key=None):
    if key:
        headers = dict(headers, **{"Idempotency-Key": key})
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot_id})


def race_for(app, headers_list, slot_id) -> list:
    """Every resident asks for the same slot at the same instant; returns the responses."""
    barrier = threading.Barrier(len(headers_list))
    responses = []

    def race(h):
        with app.test_client() as own:
            barrier.wait()
            responses.append(own.post("/api/v1/me/bookings", headers=h,
                                      json={"slot_id": slot_id}))

    threads = [threading.Thread(target=race, args=(h,)) for h in headers_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def test_book_see_and_cancel_frees_the_place(client, sim, make_slot, couple_for):
    slot_id = make_slot(capacity=1)
    me = couple_for("booker")
    booked = _book(client, me, slot_id)
    assert booked.status_code == 201 and len(booked.get_json()["checkin_code"]) == 6
    assert booked.get_json()["checkin_qr"] == "WXAPP-CHECKIN:" + booked.get_json()["checkin_code"]
    clinic_id = client.get("/api/v1/clinics").get_json()[0]["id"]
    assert client.get(f"/api/v1/clinics/{clinic_id}/slots").get_json()[0]["remaining"] == 0
    other = couple_for("second")
    full = _book(client, other, slot_id)
    assert full.status_code == 409 and error_code(full) == "booking.slot_full"
    cancelled = client.post(f"/api/v1/me/bookings/{booked.get_json()['id']}/cancel", headers=me)
    assert cancelled.get_json()["status"] == "cancelled"
    retried = client.post(f"/api/v1/me/bookings/{booked.get_json()['id']}/cancel", headers=me)
    assert retried.status_code == 200
    db.session.expire_all()
    assert db.session.get(ScreeningSlot, slot_id).booked == 0  # freed once, not twice
    assert _book(client, other, slot_id).status_code == 201


def test_one_active_booking_per_couple_and_nothing_taken_for_it(client, sim, make_slot,
                                                                  couple_for):
    first, second = make_slot(), make_slot()
    me = couple_for("twice")
    assert _book(client, me, first).status_code == 201
    again = _book(client, me, second)
    assert again.status_code == 409 and error_code(again) == "booking.already_booked"
    assert db.session.get(ScreeningSlot, second).booked == 0


def test_retry_with_the_same_key_books_once(client, sim, make_slot, couple_for):
    slot_id = make_slot(capacity=5)
    me = couple_for("retry")
    a = _book(client, me, slot_id, key="book-retry-0001")
    b = _book(client, me, slot_id, key="book-retry-0001")
    assert a.get_json() == b.get_json()
    db.session.expire_all()
    assert db.session.get(ScreeningSlot, slot_id).booked == 1


def test_another_resident_cannot_see_or_cancel_my_booking(client, sim, make_slot, couple_for):
    me = couple_for("owner")
    booking_id = _book(client, me, make_slot()).get_json()["id"]
    stranger = couple_for("stranger")
    assert client.post(f"/api/v1/me/bookings/{booking_id}/cancel",
                       headers=stranger).status_code == 404
    assert client.get("/api/v1/me/bookings", headers=stranger).get_json() == []


def test_slot_too_soon_cannot_be_booked_and_cancel_cutoff_holds(client, sim, make_slot, couple_for):
    me = couple_for("late")
    soon = _book(client, me, make_slot(in_hours=1))
    assert soon.status_code == 422 and error_code(soon) == "booking.slot_out_of_range"
    booking_id = _book(client, me, make_slot(in_hours=6)).get_json()["id"]
    late = client.post(f"/api/v1/me/bookings/{booking_id}/cancel", headers=me)
    assert late.status_code == 409 and error_code(late) == "booking.past_cutoff"


def test_unknown_slot_and_bad_body(client, sim, make_slot, couple_for):
    me = couple_for("bad")
    assert error_code(_book(client, me, 999999)) == "booking.slot_not_found"
    response = client.post("/api/v1/me/bookings", headers=me, json={"slot": 1})
    assert response.status_code == 422


def test_many_residents_racing_for_few_places_never_oversell(app, client, sim, make_slot,
                                                             couple_for):
    places, racers = 5, 30
    slot_id = make_slot(capacity=places)
    headers = [couple_for(f"racer-{i}") for i in range(racers)]
    statuses = [r.status_code for r in race_for(app, headers, slot_id)]
    assert statuses.count(201) == places
    assert statuses.count(409) == racers - places
    db.session.expire_all()
    assert db.session.get(ScreeningSlot, slot_id).booked == places
    assert db.session.scalar(select(func.count(ScreeningBooking.id))) == places


@pytest.mark.postgres_only
def test_two_hundred_clients_race_for_twenty_places(app, client, sim, make_slot, couple_for):
    places, racers = 20, 200
    slot_id = make_slot(capacity=places)
    headers = [couple_for(f"rush-{i}") for i in range(racers)]
    responses = race_for(app, headers, slot_id)
    statuses = [r.status_code for r in responses]
    codes = [r.get_json()["error"]["code"] for r in responses if r.status_code != 201]
    assert statuses.count(201) == places
    assert set(codes) == {"booking.slot_full"} and len(codes) == racers - places
    assert not any(s >= 500 for s in statuses)
    db.session.expire_all()
    slot = db.session.get(ScreeningSlot, slot_id)
    assert slot.booked == places and slot.capacity - slot.booked == 0
