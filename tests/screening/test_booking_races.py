"""Every change of a booking's state has one winner: double taps, retries racing each other and
the offer-expiry job racing an acceptance never free a place twice, offer it twice, or answer
with a 5xx. Threads are released together by a barrier, on PostgreSQL."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningSlot
from wxapp.models.base import utcnow
from wxapp.models.screening import ACTIVE_STATUSES
from wxapp.services.screening.bookings import expire_offers
from wxapp.transactions import commit

pytestmark = pytest.mark.postgres_only


def all_at_once(app, actions) -> list:
    """Runs each action (given a client of its own) in its own thread, released together."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        with app.test_client() as own:
            barrier.wait()
            results[index] = action(own)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _book(client, headers, slot_id, **extra):
    response = client.post("/api/v1/me/bookings", headers=headers,
                           json={"slot_id": slot_id, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _post(path, headers, json=None):
    return lambda own: own.post(path, headers=headers, json=json)


def _slot(slot_id) -> ScreeningSlot:
    db.session.expire_all()
    return db.session.get(ScreeningSlot, slot_id)


def _statuses(slot_id) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(ScreeningBooking.status).filter_by(slot_id=slot_id)))


def test_five_simultaneous_cancels_free_one_place_and_offer_it_once(app, client, couple_for,
                                                                      make_slot):
    slot = make_slot(capacity=1)
    holder = couple_for("double-tapper")
    booking = _book(client, holder, slot)
    for name in ("first-in-line", "second-in-line"):
        _book(client, couple_for(name), slot, waitlist=True)

    answers = all_at_once(app, [_post(f"/api/v1/me/bookings/{booking}/cancel", holder)] * 5)

    assert [a.status_code for a in answers] == [200] * 5
    assert len({str(a.get_json()) for a in answers}) == 1  # every tap gets the first answer
    assert _statuses(slot) == ["cancelled", "offered", "waitlisted"]
    assert _slot(slot).booked == 1  # held for the one offer


def test_five_simultaneous_moves_give_one_move_and_four_conflicts(app, client, couple_for,
                                                                    make_slot):
    old, new = make_slot(capacity=3), make_slot(capacity=3, in_hours=72)
    me = couple_for("restless")
    booking = _book(client, me, old)

    answers = all_at_once(app, [_post(f"/api/v1/me/bookings/{booking}/move", me,
                                      {"slot_id": new})] * 5)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409, 409, 409, 409]
    assert {a.get_json()["error"]["code"] for a in answers if a.status_code == 409} == {
        "booking.not_movable"}
    assert (_slot(old).booked, _slot(new).booked) == (0, 1)
    assert _statuses(new) == ["scheduled"]


def test_moves_to_different_slots_at_once_leave_one_booking(app, client, couple_for, make_slot):
    old = make_slot(capacity=3)
    targets = [make_slot(capacity=3, in_hours=50 + i) for i in range(4)]
    me = couple_for("undecided")
    booking = _book(client, me, old)

    answers = all_at_once(app, [_post(f"/api/v1/me/bookings/{booking}/move", me,
                                      {"slot_id": t}) for t in targets])

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    db.session.expire_all()
    active = db.session.scalar(select(func.count(ScreeningBooking.id)).where(
        ScreeningBooking.status.in_(ACTIVE_STATUSES)))
    assert active == 1
    assert sum(_slot(t).booked for t in targets) == 1 and _slot(old).booked == 0


def _offered(client, couple_for, make_slot, prefix):
    """A full slot whose place has just been offered to the first of two couples waiting."""
    slot = make_slot(capacity=1)
    holder = couple_for(f"{prefix}-holder")
    held = _book(client, holder, slot)
    waiting = couple_for(f"{prefix}-waiting")
    offered = _book(client, waiting, slot, waitlist=True)
    _book(client, couple_for(f"{prefix}-next"), slot, waitlist=True)
    client.post(f"/api/v1/me/bookings/{held}/cancel", headers=holder)
    db.session.expire_all()
    assert db.session.get(ScreeningBooking, offered).status == "offered"
    return slot, waiting, offered


def test_five_simultaneous_accepts_take_the_offer_once(app, client, couple_for, make_slot):
    slot, waiting, offered = _offered(client, couple_for, make_slot, "accept")

    answers = all_at_once(app, [_post(f"/api/v1/me/bookings/{offered}/accept", waiting)] * 5)

    assert [a.status_code for a in answers] == [200] * 5
    assert {a.get_json()["status"] for a in answers} == {"scheduled"}
    assert len({a.get_json()["checkin_code"] for a in answers}) == 1
    assert _statuses(slot) == ["cancelled", "scheduled", "waitlisted"]
    assert _slot(slot).booked == 1


@pytest.mark.parametrize("round_", range(3))
def test_offer_expiry_racing_its_acceptance_has_one_winner(app, client, couple_for, make_slot,
                                                           round_):
    slot, waiting, offered = _offered(client, couple_for, make_slot, f"expiry{round_}")
    # Still open for the resident, already over for the job that runs a little later.
    db.session.execute(update(ScreeningBooking).filter_by(id=offered).values(
        offer_expires_at=utcnow() + timedelta(minutes=1)))
    commit()

    def run_expiry_job(_client):
        with app.app_context():
            lapsed = expire_offers(now=utcnow() + timedelta(minutes=2))
            commit()
            return lapsed

    accepted, lapsed = all_at_once(app, [_post(f"/api/v1/me/bookings/{offered}/accept", waiting),
                                         run_expiry_job])

    db.session.expire_all()
    final = db.session.get(ScreeningBooking, offered).status
    if accepted.status_code == 200:
        assert (lapsed, final) == (0, "scheduled")
        assert _statuses(slot) == ["cancelled", "scheduled", "waitlisted"]
    else:
        assert accepted.status_code == 409
        assert accepted.get_json()["error"]["code"] == "booking.offer_gone"
        assert (lapsed, final) == (1, "cancelled")
        assert _statuses(slot) == ["cancelled", "cancelled", "offered"]
    assert _slot(slot).booked == 1


@pytest.mark.parametrize("round_", range(3))
def test_cancel_racing_the_clinic_closing_the_day_ends_the_booking_once(
        app, client, couple_for, make_slot, staff_headers, home_village, round_):
    from wxapp.models import Clinic
    from wxapp.services.screening.notices import CHINA

    slot = make_slot(capacity=2, in_hours=72)
    me = couple_for(f"closed-out{round_}")
    booking = _book(client, me, slot)
    _book(client, couple_for(f"closed-too{round_}"), slot)
    staff = staff_headers(township_of_village=home_village)
    clinic = db.session.scalars(select(Clinic.id)).first()
    day = _slot(slot).starts_at.astimezone(CHINA).date().isoformat()

    cancelled, closed = all_at_once(app, [
        _post(f"/api/v1/me/bookings/{booking}/cancel", me),
        _post(f"/api/v1/staff/clinics/{clinic}/closures", staff, {"date": day, "reason": "停电"})])

    assert closed.status_code == 201
    if cancelled.status_code == 200:  # the resident first: the clinic cancels the other one
        assert closed.get_json()["bookings_cancelled"] == 1
    else:  # the clinic first: the resident is told why there is nothing left to cancel
        assert cancelled.status_code == 409
        assert cancelled.get_json()["error"]["code"] == "booking.not_cancellable"
        assert "停诊" in cancelled.get_json()["error"]["message"]
        assert closed.get_json()["bookings_cancelled"] == 2
    assert _statuses(slot) == ["cancelled", "cancelled"]
    assert _slot(slot).booked == 0


def test_two_clinicians_saving_results_at_once_store_one_set(app, client, couple_for, make_slot,
                                                             staff_headers, home_village):
    from wxapp.models import ScreeningFollowUp, ScreeningResult

    me = couple_for("examined")
    booking = _book(client, me, make_slot())
    db.session.execute(update(ScreeningBooking).filter_by(id=booking).values(
        status="checked_in", checked_in_at=utcnow()))
    commit()
    staff = staff_headers(township_of_village=home_village)
    results = {"risk_category": "general", "risk_factors": [], "advice": "可以计划怀孕。"}

    answers = all_at_once(app, [_post(f"/api/v1/staff/screening/bookings/{booking}/results",
                                      staff, results)] * 2)

    assert [a.status_code for a in answers] == [200, 200]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ScreeningResult.id))) == 1
    assert db.session.scalar(select(func.count(ScreeningFollowUp.id))) == 2
    assert db.session.get(ScreeningBooking, booking).status == "completed"


@pytest.mark.parametrize("round_", range(3))
def test_leaving_the_waitlist_while_being_offered_the_place_still_leaves(
        app, client, couple_for, make_slot, round_):
    slot = make_slot(capacity=1)
    holder = couple_for(f"leaving{round_}-holder")
    held = _book(client, holder, slot)
    leaver = couple_for(f"leaving{round_}-leaver")
    leaving = _book(client, leaver, slot, waitlist=True)
    _book(client, couple_for(f"leaving{round_}-next"), slot, waitlist=True)

    answers = all_at_once(app, [_post(f"/api/v1/me/bookings/{held}/cancel", holder),
                                _post(f"/api/v1/me/bookings/{leaving}/cancel", leaver)])

    assert [a.status_code for a in answers] == [200, 200]
    assert _statuses(slot) == ["cancelled", "cancelled", "offered"]
    assert _slot(slot).booked == 1


def test_a_double_tapped_first_save_of_the_couple_makes_one_couple(app, client, sim,
                                                                    home_village):
    from tests.helpers import login
    from wxapp.models import ScreeningCouple, ScreeningCoupleMember
    from wxapp.testing.people import couple_body

    headers = login(client, sim, "double-tap-couple")
    body = couple_body(7, home_village)
    answers = all_at_once(app, [lambda own: own.put("/api/v1/me/screening-couple",
                                                    headers=headers, json=body)] * 5)
    assert [a.status_code for a in answers] == [200] * 5, [a.get_json() for a in answers]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ScreeningCouple.id))) == 1
    assert db.session.scalar(select(func.count(ScreeningCoupleMember.id))) == 1
