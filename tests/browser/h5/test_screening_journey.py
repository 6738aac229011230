"""The free pre-pregnancy check in the resident pages, end to end in Chromium at 360 x 640:
the couple, clinics and free places, book (a double tap books once), the check-in code and
QR, move, cancel, the waitlist and its offer, results and the letter."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.h5.conftest import assert_accessible, assert_elderly_friendly, shoot
from tests.helpers import login
from wxapp.testing.people import couple_body

COUNTY = "320102"


@pytest.fixture
def clinic_with_two_slots(app):
    """A township in county 320102 (the couples' hukou: local), its clinic, and two
    one-place slots two and three days ahead."""
    from wxapp.extensions import db
    from wxapp.models import Clinic, ScreeningSlot, StaffUser, Township, Village
    from wxapp.models.base import utcnow
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD
    from wxapp.services.accounts.passwords import hash_password
    from wxapp.transactions import commit

    with app.app_context():
        township = Township(code=f"{COUNTY}001", name="测试街道")
        db.session.add(township)
        db.session.flush()
        village = Village(township_id=township.id, code=f"{COUNTY}001001", name="测试社区")
        clinic = Clinic(township_id=township.id, name="测试卫生院", address="测试路1号",
                        phone="0000")
        db.session.add_all([village, clinic])
        db.session.flush()
        slots = []
        for days in (2, 3):
            starts = utcnow() + timedelta(days=days)
            slot = ScreeningSlot(clinic_id=clinic.id, starts_at=starts, capacity=1, booked=0,
                                 ends_at=starts + timedelta(hours=1))
            db.session.add(slot)
            slots.append(slot)
        db.session.add(StaffUser(username="h5-admin", display_name="测试管理员",
                                 role="township_admin", township_id=township.id,
                                 password_hash=hash_password(DEMO_STAFF_PASSWORD)))
        commit()
        return {"village": village.id, "slots": [s.id for s in slots]}


def bookings_of(client, token):
    return client.get("/api/v1/me/bookings",
                      headers={"Authorization": f"Bearer {token}"}).get_json()


def booking(page, status):
    return page.locator(f'[data-status="{status}"]')


def test_couple_books_moves_cancels_waits_and_reads_results(page, token_for, client, sim, app,
                                                            clinic_with_two_slots):
    first_slot, second_slot = clinic_with_two_slots["slots"]
    token = token_for("h5-couple")
    page.goto(f"/h5/screening#token={token}")
    page.locator("#couple-sentence").filter(has_text="请先填夫妻俩的信息").wait_for()

    body = couple_body(0, clinic_with_two_slots["village"])
    page.locator("#wife-name").fill(body["wife"]["name"])
    page.locator("#wife-id").fill(body["wife"]["id_number"])
    page.locator("#husband-name").fill(body["husband"]["name"])
    page.locator("#husband-id").fill(body["husband"]["id_number"])
    page.locator("#couple-village").select_option(str(clinic_with_two_slots["village"]))
    assert page.locator("#husband-hukou").input_value() == COUNTY
    page.get_by_label("第一个").check()
    assert_elderly_friendly(page)
    shoot(page, "screening-1-couple")
    page.get_by_role("button", name="保存夫妻信息").click()
    page.locator("#couple-sentence").filter(has_text="可以预约了").wait_for()

    # Free places, then a booking; two quick taps book once.
    slots = page.locator("#slots li")
    slots.first.filter(has_text="还剩1个名额").wait_for()
    assert_elderly_friendly(page)
    shoot(page, "screening-2-places")
    slots.first.get_by_role("button").dblclick()
    scheduled = booking(page, "scheduled")
    scheduled.wait_for()
    assert len([b for b in bookings_of(client, token) if b["status"] == "scheduled"]) == 1
    code = bookings_of(client, token)[0]["checkin_code"]
    assert scheduled.locator(".code-digits").inner_text() == code
    scheduled.locator(".qr svg[role=img]").wait_for()
    assert page.locator("#book").is_hidden()
    assert_elderly_friendly(page)
    shoot(page, "screening-3-booked")

    # Move to the other day.
    scheduled.get_by_role("button", name="改个时间").click()
    page.locator("#slots li").first.get_by_role("button", name="改到这个时间").click()
    page.locator("#book").wait_for(state="hidden")
    assert [b["slot_id"] for b in bookings_of(client, token)
            if b["status"] == "scheduled"] == [second_slot]

    # Someone else takes the first day's only place; she cancels hers and queues for it.
    other = login(client, sim, "h5-other")
    assert client.put("/api/v1/me/screening-couple", headers=other, json=couple_body(
        1, clinic_with_two_slots["village"])).status_code == 200
    taken = client.post("/api/v1/me/bookings", json={"slot_id": first_slot},
                        headers={**other, "Idempotency-Key": "other-booking-1"})
    assert taken.status_code == 201, taken.get_json()
    page.once("dialog", lambda dialog: dialog.accept())
    booking(page, "scheduled").get_by_role("button", name="取消预约").click()
    booking(page, "cancelled").first.wait_for()
    page.locator("#slots li").first.filter(has_text="名额已满").wait_for()
    page.get_by_role("button", name="已约满，排队候补").first.click()
    booking(page, "waitlisted").filter(has_text="排队候补").wait_for()
    shoot(page, "screening-4-waitlisted")

    # The other couple cancels: the place is offered to her, and she takes it.
    other_id = taken.get_json()["id"]
    assert client.post(f"/api/v1/me/bookings/{other_id}/cancel",
                       headers=other).status_code == 200
    page.reload()
    offered = booking(page, "offered")
    offered.filter(has_text="之前点“要这个名额”").wait_for()
    shoot(page, "screening-5-offered")
    offered.get_by_role("button", name="要这个名额").click()
    booking(page, "scheduled").wait_for()

    # Checked in at the clinic and examined: the results and the letter are hers.
    from wxapp.extensions import db
    from wxapp.models import ScreeningBooking
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD
    from wxapp.transactions import commit

    mine = next(b for b in bookings_of(client, token) if b["status"] == "scheduled")
    with app.app_context():
        db.session.get(ScreeningBooking, mine["id"]).status = "checked_in"
        commit()
    staff_token = client.post("/api/v1/staff/auth/login", json={
        "username": "h5-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    recorded = client.post(f"/api/v1/staff/screening/bookings/{mine['id']}/results",
                           headers={"Authorization": f"Bearer {staff_token}"},
                           json={"risk_category": "general", "risk_factors": [],
                                 "advice": "可以按计划怀孕，孕前三个月开始补充叶酸。"})
    assert recorded.status_code == 200, recorded.get_json()
    page.reload()
    booking(page, "completed").get_by_role("button", name="看检查结果").click()
    # One free check per couple per child: nothing more to book once it is done.
    assert page.locator("#book").is_hidden()
    page.locator("#result-sentence").filter(has_text="一般人群").wait_for()
    assert "叶酸" in page.locator("#result-facts").inner_text()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "screening-6-results")
    with page.expect_download() as download:
        page.get_by_role("button", name="保存结果告知书（PDF）").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
