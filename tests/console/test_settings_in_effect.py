"""A setting saved on the console's 系统设置 page is in effect at the next request: the booking
API applies the new cancel cutoff and no-show rule, and the bot, the mini-program's question
box and the resident pages quote the new office phone. Nothing is restarted in between."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.helpers import error_code, login
from wxapp.extensions import db
from wxapp.models import Clinic, ScreeningBooking, ScreeningSlot, Township, Village
from wxapp.models.base import utcnow
from wxapp.seeding.seed import seed_default
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

NEW_PHONE = "0571-8765 4321"
BOOKINGS = {"booking_min_notice_hours": "2", "booking_max_days_ahead": "60",
            "waitlist_hold_minutes": "120"}
OFFICE = {"office_name": "示范镇卫生健康办公室", "office_phone": NEW_PHONE,
          "office_address": "示范镇人民政府一楼便民服务中心",
          "office_hours": "工作日 8:30-12:00，14:00-17:30"}


# The couples' hukou is in county 320102, as the test township is: local, so eligible.
COUNTY = "320102"


@pytest.fixture
def place(app):
    """A township in the couples' county with a village and a clinic: (village id, clinic id)."""
    with app.app_context():
        township = Township(code=f"{COUNTY}001", name="测试街道")
        db.session.add(township)
        db.session.flush()
        village = Village(township_id=township.id, code=f"{COUNTY}001001", name="测试社区")
        clinic = Clinic(township_id=township.id, name="测试卫生院", address="测试路1号",
                        phone="0000")
        db.session.add_all([village, clinic])
        commit()
        return village.id, clinic.id


@pytest.fixture
def couple_for(client, sim, place):
    """A resident signed in with her couple's details given: her Authorization header."""
    numbers = itertools.count()

    def make(user: str) -> dict:
        headers = login(client, sim, user)
        answer = client.put("/api/v1/me/screening-couple", headers=headers,
                            json=couple_body(next(numbers), place[0]))
        assert answer.status_code == 200, answer.get_json()
        return headers
    return make


@pytest.fixture
def make_slot(app, place):
    def make(in_hours: int = 48) -> int:
        with app.app_context():
            starts = utcnow() + timedelta(hours=in_hours)
            slot = ScreeningSlot(clinic_id=place[1], starts_at=starts,
                                 ends_at=starts + timedelta(hours=1), capacity=2, booked=0)
            db.session.add(slot)
            commit()
            return slot.id
    return make


def _book(client, headers, slot_id):
    return client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot_id})


def _set_cutoff(console, admin, hours: int) -> None:
    answer = console.post(admin, "/console/settings/rules/bookings",
                          data={**BOOKINGS, "booking_cancel_cutoff_hours": str(hours)})
    assert answer.status_code == 303


def test_the_cancel_cutoff_set_in_the_console_decides_the_next_cancel(console, client,
                                                                     couple_for, make_slot):
    admin, _ = console.sign_in("township_admin")
    first, second = couple_for("cutoff-a"), couple_for("cutoff-b")
    a = _book(client, first, make_slot(in_hours=30)).get_json()["id"]
    b = _book(client, second, make_slot(in_hours=6)).get_json()["id"]
    # 30 hours ahead is outside the default 12-hour cutoff; 48 hours puts it inside.
    _set_cutoff(console, admin, 48)
    refused = client.post(f"/api/v1/me/bookings/{a}/cancel", headers=first)
    assert refused.status_code == 409 and error_code(refused) == "booking.past_cutoff"
    assert "检查前48小时内" in refused.get_json()["error"]["message"]
    # 6 hours ahead is inside the default cutoff; 4 hours lets the couple cancel.
    _set_cutoff(console, admin, 4)
    assert client.post(f"/api/v1/me/bookings/{b}/cancel", headers=second).status_code == 200
    assert client.post(f"/api/v1/me/bookings/{a}/cancel", headers=first).status_code == 200


def test_the_no_show_limit_set_in_the_console_pauses_booking(app, console, client, couple_for,
                                                             make_slot):
    admin, _ = console.sign_in("township_admin")
    me = couple_for("absent-once")
    booking_id = _book(client, me, make_slot()).get_json()["id"]
    with app.app_context():
        db.session.execute(update(ScreeningBooking).filter_by(id=booking_id)
                           .values(status="missed"))
        commit()
    # One no-show is below the default limit of two.
    allowed = _book(client, me, make_slot())
    assert allowed.status_code == 201
    assert client.post(f"/api/v1/me/bookings/{allowed.get_json()['id']}/cancel",
                       headers=me).status_code == 200
    answer = console.post(admin, "/console/settings/rules/no_show", data={
        "no_show_limit": "1", "no_show_window_days": "180", "no_show_restriction_days": "30"})
    assert answer.status_code == 303
    paused = _book(client, me, make_slot())
    assert paused.status_code == 409 and error_code(paused) == "booking.restricted"


def test_a_new_office_phone_is_in_the_next_bot_reply_and_on_resident_screens(app, console,
                                                                             client, wechat):
    with app.app_context():
        seed_default()
        commit()
    old_phone = app.config["WXAPP"].office_phone
    assert old_phone in wechat.say("o_phone_question", "电话")["Content"]
    admin, _ = console.sign_in("township_admin")
    assert console.post(admin, "/console/settings/rules/office", data=OFFICE).status_code == 303

    reply = wechat.say("o_phone_question", "电话")["Content"]
    assert NEW_PHONE in reply and old_phone not in reply
    unanswered = client.post("/api/v1/faq/ask", json={"question": "明天天气怎么样"}).get_json()
    assert NEW_PHONE in unanswered["answer"]
    page = client.get("/h5/").get_data(as_text=True)
    assert f'href="tel:{NEW_PHONE}"' in page
    consent = client.get("/api/v1/consent").get_json()
    assert any(NEW_PHONE in paragraph for paragraph in consent["paragraphs"])
