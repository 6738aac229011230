"""Date rules of the pre-pregnancy check at fixed days (1 January, 29 February, 30 June,
31 December) and around midnight China time: the booking window, the no-show window and the
pause it leads to, and the dates on the assessment letter."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from tests.china_clock import at_china, every_fixed_moment
from tests.helpers import error_code
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningSlot
from wxapp.models.base import utcnow
from wxapp.transactions import commit


def _book(client, headers, slot_id):
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot_id})


@every_fixed_moment
def test_booking_window_holds_on_every_day(client, couple_for, make_slot, moment):
    with at_china(moment):
        me = couple_for("window")
        too_soon = _book(client, me, make_slot(in_hours=1))       # notice is 2 h
        too_far = _book(client, me, make_slot(in_hours=24 * 61))  # 60 days ahead at most
        in_window = _book(client, me, make_slot(in_hours=24 * 60 - 1))
    assert too_soon.status_code == 422 and error_code(too_soon) == "booking.slot_out_of_range"
    assert too_far.status_code == 422 and error_code(too_far) == "booking.slot_out_of_range"
    assert in_window.status_code == 201, in_window.get_json()


def _missed(client, headers, make_slot, starts_at: datetime) -> None:
    booking_id = _book(client, headers, make_slot()).get_json()["id"]
    booking = db.session.get(ScreeningBooking, booking_id)
    db.session.execute(update(ScreeningSlot).filter_by(id=booking.slot_id).values(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)))
    db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(status="missed"))
    commit()


@every_fixed_moment
def test_no_shows_pause_booking_only_within_the_window(client, couple_for, make_slot, moment):
    with at_china(moment):
        me = couple_for("misses")
        _missed(client, me, make_slot, utcnow() - timedelta(days=181))  # outside 180 days
        _missed(client, me, make_slot, utcnow() - timedelta(days=2))
        assert _book(client, me, make_slot()).status_code == 201

        other = couple_for("misses-twice")
        _missed(client, other, make_slot, utcnow() - timedelta(days=179))
        # The latest miss at 07:00 China time on the day before: the pause ends 90 days
        # after it, a date a person reads in China's calendar.
        latest = datetime.combine((moment - timedelta(days=1)).date(),
                                  datetime.min.time().replace(hour=7), tzinfo=CHINA)
        _missed(client, other, make_slot, latest)
        refused = _book(client, other, make_slot())
    assert refused.status_code == 409 and error_code(refused) == "booking.restricted"
    until = (latest + timedelta(days=90)).date()
    assert refused.get_json()["error"]["details"]["restricted_until"] == until.isoformat()
    assert f"{until.year}年{until.month}月{until.day}日" in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("moment", [datetime(2027, 1, 1, 0, 30, tzinfo=CHINA),
                                    datetime(2028, 2, 29, 0, 30, tzinfo=CHINA)],
                         ids=["1 January 00:30", "29 February 00:30"])
def test_letter_is_dated_in_china(client, couple_for, make_slot, staff_headers, home_village,
                                  moment):
    with at_china(moment):
        me = couple_for("letter")
        booking_id = _book(client, me, make_slot()).get_json()["id"]
        db.session.execute(update(ScreeningBooking).filter_by(id=booking_id).values(
            status="checked_in", checked_in_at=utcnow()))
        commit()
        staff = staff_headers(township_of_village=home_village)
        client.post(f"/api/v1/staff/screening/bookings/{booking_id}/results", headers=staff,
                    json={"risk_category": "general", "risk_factors": [],
                          "advice": "可以计划怀孕。"})
        letter = client.get(f"/api/v1/me/bookings/{booking_id}/letter.pdf", headers=me)
    assert letter.status_code == 200
    day = moment.date().isoformat()
    # 检查日期 and 出具日期: both the China date, both in Helvetica so they can be found.
    assert letter.data.count(f"({day})".encode()) == 2
