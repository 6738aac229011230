"""Recording a follow-up's outcome from the clinic day's list in Chromium, at 1280 and 360 px:
a missing choice explained next to it, then saved and gone from the list; axe on each page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.console_pages import no_axe_violations
from tests.browser.test_clinic_day import _signed_in
from tests.console.test_clinic_follow_ups import FollowUps


@pytest.fixture
def console(app):
    from tests.console.conftest import Console

    return Console(app)


@pytest.mark.parametrize(("size", "page_fixture"), [("1280", "desktop_page"),
                                                    ("360", "phone_page")])
def test_a_doctor_records_a_referral_from_the_list(app, live_server, console, request, size,
                                                   page_fixture):
    page = request.getfixturevalue(page_fixture)
    follow_ups = FollowUps(app, console)
    _signed_in(page, console, "clinic")
    page.goto(live_server.url("/console/clinic"))
    listed = page.locator("#follow-ups")
    assert "高风险转诊" in listed.inner_text()
    listed.get_by_role("link", name="记录结果").click()
    page.wait_for_selector("#outcome")

    page.fill("#notes", "已电话联系，女方同意转诊")
    page.get_by_role("button", name="保存随访结果").click()
    page.wait_for_selector("#error-outcome")
    assert page.inner_text("#error-outcome") == "请选择随访结果：已转诊、拒绝转诊、无法联系。"
    assert page.input_value("#notes") == "已电话联系，女方同意转诊"
    screenshot(page, f"clinic-follow-up-problem-{size}")
    no_axe_violations(page)
    if size == "360":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("已转诊").check()
    page.get_by_role("button", name="保存随访结果").click()
    page.wait_for_selector(".message-success")
    assert "随访已记录：高风险转诊，已转诊。" in page.inner_text(".messages")
    assert "近期没有到期的随访" in page.inner_text("#follow-ups")
    assert follow_ups.get().outcome == "referred"
    screenshot(page, f"clinic-follow-up-recorded-{size}")
    no_axe_violations(page)
