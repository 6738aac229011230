"""The clinic day in Chromium: a clinic's doctor checks a couple in by the code they show
(typed, then Enter, as a USB scanner does), is told so when the code comes again, records the
results (a problem first, explained next to its field), and the couple reads the results
through the resident API with their own token. Screenshots at 1280 and 360 px, axe on each
page; the schedule and a closure's preview too."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.console_pages import no_axe_violations
from tests.console.clinic_data import ClinicDay
from tests.helpers import login
from wxapp.china_time import china_today
from wxapp.extensions import db
from wxapp.models import ScreeningBooking, ScreeningCouple, Township, Village
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

COOKIE = "wxapp_console"
ADVICE = "建议到县妇幼保健院进一步咨询，孕前三个月开始补充叶酸。"


@pytest.fixture
def console(app):
    from tests.console.conftest import Console

    return Console(app)


def _signed_in(page, console, role, **fields):
    client, staff = console.sign_in(role, **fields)
    cookie = client.get_cookie(COOKIE, path="/console/")
    page.context.add_cookies([{"name": COOKIE, "value": cookie.value, "domain": "127.0.0.1",
                               "path": "/console/", "httpOnly": True, "sameSite": "Strict"}])
    return staff




@pytest.fixture
def couple(app, client, sim):
    """A resident who gave her couple's details, booked today at 示范镇卫生院 (written as the
    demo seed does: residents cannot book today themselves), beside the demo's three."""
    day = ClinicDay(app)
    me = login(client, sim, "clinic-day-couple")
    with app.app_context():
        township = db.session.scalars(select(Township)).first()
        village = db.session.scalars(select(Village).filter_by(name="东湖村")).one()
        code_prefix, village_id = township.code[:6], village.id
    saved = client.put("/api/v1/me/screening-couple", headers=me,
                       json=couple_body(7, village_id, hukou_region=code_prefix))
    assert saved.status_code == 200, saved.get_json()
    with app.app_context():
        mine = db.session.scalars(select(ScreeningCouple)
                                  .order_by(ScreeningCouple.id.desc())).first()
        slot_id = day.booking(0).slot_id
        booking = ScreeningBooking(resident_id=mine.resident_id, couple_id=mine.id,
                                   couple_key=mine.couple_key, child_order=mine.child_order,
                                   village_id=mine.village_id, slot_id=slot_id,
                                   status="scheduled", checkin_code="731946")
        db.session.add(booking)
        commit()
        booking_id = booking.id
    return {"headers": me, "booking_id": booking_id, "day": day}


def test_a_doctor_checks_a_couple_in_records_results_and_the_couple_reads_them(
        client, live_server, console, desktop_page, couple):
    page = desktop_page
    _signed_in(page, console, "clinic")
    me, booking_id = couple["headers"], couple["booking_id"]
    shown = client.get("/api/v1/me/bookings", headers=me).get_json()
    code = next(b["checkin_code"] for b in shown if b["id"] == booking_id)

    page.goto(live_server.url("/console/clinic"))
    assert "共 4 个预约" in page.inner_text("main")
    assert code not in page.content()
    assert page.evaluate("document.activeElement.id") == "checkin-code"
    screenshot(page, "clinic-day-1280")
    no_axe_violations(page)

    # Typed and Enter, as a USB scanner types it.
    page.fill("#checkin-code", code)
    page.keyboard.press("Enter")
    page.wait_for_selector(".message-success")
    assert "签到成功" in page.inner_text(".messages")
    row = page.locator(f"#booking-{booking_id}")
    assert row.get_attribute("data-status") == "checked_in"

    # The same code again: said as what it is, not as a bad code.
    page.fill("#checkin-code", code)
    page.keyboard.press("Enter")
    page.wait_for_selector(".message-info")
    assert "该预约已签到（" in page.inner_text(".messages")
    # Ready for the next couple's code without a click.
    assert page.evaluate("document.activeElement.id") == "checkin-code"
    screenshot(page, "clinic-day-checked-in-1280")

    # Results: a problem first, explained next to its field, then saved.
    row.get_by_role("link", name="录入结果").click()
    page.wait_for_selector("#advice")
    page.get_by_label("高风险人群").check()
    page.fill("#advice", "好")
    page.get_by_role("button", name="保存结果并通知居民").click()
    page.wait_for_selector("#error-advice")
    assert page.inner_text("#error-advice") == "至少填写2个字。"
    assert page.inner_text("#error-risk_factors") == "高风险人群请至少选择一项风险因素。"
    screenshot(page, "clinic-results-problems-1280")
    no_axe_violations(page)
    page.get_by_label("慢性疾病").check()
    page.fill("#advice", ADVICE)
    page.get_by_role("button", name="保存结果并通知居民").click()
    page.wait_for_selector(".message-success")
    assert "检查结果已保存" in page.inner_text(".messages")
    assert page.locator(f"#booking-{booking_id}").get_attribute("data-status") == "completed"
    assert "高风险转诊" in page.inner_text("main")
    screenshot(page, "clinic-day-results-1280")
    no_axe_violations(page)

    # The couple reads the results with their own token.
    result = client.get(f"/api/v1/me/bookings/{booking_id}/result", headers=me)
    assert result.status_code == 200, result.get_json()
    body = result.get_json()
    assert body["risk_category"] == "high_risk" and body["advice"] == ADVICE
    assert body["risk_factors"] == ["慢性疾病"]

    # The schedule, and a closure's preview for tomorrow (nothing closed by looking).
    page.goto(live_server.url("/console/clinic/schedule"))
    screenshot(page, "clinic-schedule-1280")
    no_axe_violations(page)
    tomorrow = (china_today() + timedelta(days=1)).isoformat()
    page.fill("#first_day", tomorrow)
    page.fill("#last_day", tomorrow)
    page.fill("#reason", "停电检修")
    page.get_by_role("button", name="下一步：查看影响").click()
    page.wait_for_selector("text=停诊的影响")
    assert "将停诊 1 天" in page.inner_text("main")
    screenshot(page, "clinic-closure-preview-1280")
    no_axe_violations(page)
    page.problems.assert_none()


def test_the_clinic_day_on_a_phone(live_server, console, phone_page, couple):
    _signed_in(phone_page, console, "clinic")
    phone_page.goto(live_server.url("/console/clinic"))
    assert "共 4 个预约" in phone_page.inner_text("main")
    screenshot(phone_page, "clinic-day-360")
    no_axe_violations(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.goto(live_server.url("/console/clinic/schedule"))
    screenshot(phone_page, "clinic-schedule-360")
    no_axe_violations(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
