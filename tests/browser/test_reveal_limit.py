"""Past the reveal limit in Chromium, at 1280 and 360 px: the refusal's Chinese message shows
in the page's alert area (htmx leaves error answers unswapped; console.js puts them there)
and the number stays masked."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.browser.test_people_pages import _add_case_page
from tests.conftest import _clean, make_app
from tests.console import records
from tests.console.conftest import Console
from wxapp.security.masking import mask_phone
from wxapp.transactions import commit


@pytest.fixture
def app(migrated, base_settings):
    app = make_app(replace(base_settings, rate_limit_reveal_per_staff="1/hour;300/day"))
    yield app
    _clean(app)


@pytest.mark.parametrize("size", ["1280", "360"])
def test_the_refusal_is_said_where_the_reviewer_looks(app, live_server, request, size):
    page = request.getfixturevalue("desktop_page" if size == "1280" else "phone_page")
    _add_case_page(app)
    client, _ = Console(app).sign_in("reviewer")
    with app.app_context():
        reg = records.registration(records.village("东湖村"))
        commit()
        reg_id, id_number, phone = reg.id, reg.mother_id_number, reg.mother_phone
    carry_session(page, live_server, client)
    page.goto(live_server.url(f"/console/test-case/{reg_id}"))
    page.get_by_role("button", name="显示完整号码：女方身份证号码").click()
    page.locator(".pii-value").wait_for()
    assert page.locator(".pii-value").inner_text() == id_number

    page.get_by_role("button", name="显示完整号码：女方手机号码").click()
    alert = page.locator("#htmx-alert")
    alert.get_by_text("次数已达上限").wait_for()
    assert "您查看完整号码的次数已达上限（每小时1次）" in alert.inner_text()
    assert phone not in page.content() and mask_phone(phone) in page.inner_text("main")
    assert axe_violations(page) == []
    screenshot(page, f"console-pii-limit-{size}")
    assert [problem for problem in page.problems.messages
            if not problem.startswith("429 ")] == []
