"""A full day's waitlist: a freed place is offered to the couple waiting longest and held for
them; couples hear about their booking by subscribe message; clinics mark no-shows."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from tests.helpers import allow_messages, drain_jobs, error_code
from wxapp.extensions import db
from wxapp.models import Clinic, ScreeningBooking, ScreeningSlot
from wxapp.models.base import utcnow
from wxapp.services.screening.bookings import expire_offers
from wxapp.services.screening.notices import CHINA, send_day_before_reminders
from wxapp.transactions import commit

TEMPLATE = "TPL_SCREENING_NOTICE"


def _book(client, headers, slot_id, **extra):
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot_id, **extra})


def _status(booking_id):
    db.session.expire_all()
    return db.session.get(ScreeningBooking, booking_id).status


def test_freed_place_goes_to_the_first_in_line_and_is_held(client, couple_for, make_slot):
    slot = make_slot(capacity=1)
    holder, first, second = couple_for("holder"), couple_for("first"), couple_for("second")
    held = _book(client, holder, slot).get_json()["id"]
    refused = _book(client, first, slot)
    assert refused.status_code == 409 and error_code(refused) == "booking.slot_full"
    one = _book(client, first, slot, waitlist=True).get_json()
    two = _book(client, second, slot, waitlist=True).get_json()
    assert (one["status"], two["status"]) == ("waitlisted", "waitlisted")
    assert one["checkin_code"] is None
    client.post(f"/api/v1/me/bookings/{held}/cancel", headers=holder)
    assert (_status(one["id"]), _status(two["id"])) == ("offered", "waitlisted")
    assert db.session.get(ScreeningSlot, slot).booked == 1  # held for the offer
    accepted = client.post(f"/api/v1/me/bookings/{one['id']}/accept", headers=first)
    assert accepted.get_json()["status"] == "scheduled"
    assert len(accepted.get_json()["checkin_code"]) == 6
    retried = client.post(f"/api/v1/me/bookings/{one['id']}/accept", headers=first)
    assert retried.status_code == 200 and retried.get_json() == accepted.get_json()
    # Someone else cannot accept an offer that is not theirs.
    assert client.post(f"/api/v1/me/bookings/{two['id']}/accept",
                       headers=first).status_code == 404


def test_an_offer_not_taken_up_passes_to_the_next_couple(client, couple_for, make_slot):
    slot = make_slot(capacity=1)
    holder, slow, next_ = couple_for("holder2"), couple_for("slow"), couple_for("next")
    held = _book(client, holder, slot).get_json()["id"]
    slow_id = _book(client, slow, slot, waitlist=True).get_json()["id"]
    next_id = _book(client, next_, slot, waitlist=True).get_json()["id"]
    client.post(f"/api/v1/me/bookings/{held}/cancel", headers=holder)
    db.session.execute(update(ScreeningBooking).filter_by(id=slow_id).values(
        offer_expires_at=utcnow() - timedelta(minutes=1)))
    commit()
    assert expire_offers() == 1
    commit()
    assert (_status(slow_id), _status(next_id)) == ("cancelled", "offered")
    late = client.post(f"/api/v1/me/bookings/{slow_id}/accept", headers=slow)
    assert late.status_code == 409 and error_code(late) == "booking.offer_gone"
    assert db.session.get(ScreeningSlot, slot).booked == 1


def test_leaving_the_waitlist_frees_nothing_and_can_be_done_any_time(client, couple_for,
                                                                       make_slot):
    slot = make_slot(capacity=1, in_hours=5)  # inside the cancel cutoff
    _book(client, couple_for("there"), slot)
    me = couple_for("waiting")
    waiting = _book(client, me, slot, waitlist=True).get_json()["id"]
    left = client.post(f"/api/v1/me/bookings/{waiting}/cancel", headers=me)
    assert left.status_code == 200 and left.get_json()["status"] == "cancelled"
    assert db.session.get(ScreeningSlot, slot).booked == 1


def test_couples_are_told_of_their_booking_and_reminded_the_day_before(client, sim,
                                                                        couple_for, make_slot):
    me = couple_for("told")
    openid = allow_messages(client, sim, me, "told", TEMPLATE, times=2)
    booking = _book(client, me, make_slot(in_hours=30)).get_json()
    drain_jobs()
    tomorrow = datetime.now(CHINA).date() + timedelta(days=1)
    db.session.execute(update(ScreeningSlot).values(
        starts_at=datetime.combine(tomorrow, time(10), tzinfo=CHINA)))
    commit()
    assert send_day_before_reminders() == 1
    commit()
    assert send_day_before_reminders() == 0
    commit()
    drain_jobs()
    sent = sim.outbox(touser=openid)["messages"]
    subjects = [m["payload"]["data"]["thing1"]["value"] for m in sent]
    assert subjects == ["孕前检查预约成功", "明天孕前检查"]
    assert sent[0]["payload"]["page"].endswith(f"id={booking['id']}")


def test_clinic_marks_a_no_show_only_after_the_slot(client, couple_for, make_slot,
                                                    staff_headers, home_village):
    me = couple_for("no-show")
    slot = make_slot(in_hours=48)
    booking_id = _book(client, me, slot).get_json()["id"]
    clinic_id = db.session.scalars(select(Clinic.id)).first()
    staff = staff_headers(township_of_village=home_village)
    url = f"/api/v1/staff/clinics/{clinic_id}/bookings/{booking_id}/missed"
    early = client.post(url, headers=staff)
    assert early.status_code == 409 and error_code(early) == "booking.slot_not_over"
    db.session.execute(update(ScreeningSlot).filter_by(id=slot).values(
        starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=2)))
    commit()
    assert client.post(url, headers=staff).get_json()["status"] == "missed"
    assert client.post(url, headers=staff).status_code == 409
    other_township = staff_headers()
    assert client.post(url, headers=other_township).status_code == 404
