"""系统设置 in Chromium at 1280 and 360 px: a change saved through the real form, a refused
value explained beside its field, no serious accessibility violations, screenshots kept."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.console.conftest import Console
from wxapp.seeding.seed import seed_supply_items
from wxapp.services import township_settings
from wxapp.transactions import commit


@pytest.mark.parametrize("size", ["1280", "360"])
def test_the_office_changes_a_setting_and_sees_it_in_the_history(app, live_server, request,
                                                                 size):
    page = request.getfixturevalue("desktop_page" if size == "1280" else "phone_page")
    with app.app_context():
        seed_supply_items()
        commit()
    client, _ = Console(app).sign_in("township_admin")
    carry_session(page, live_server, client)
    page.goto(live_server.url("/console/settings"))
    assert axe_violations(page) == []

    page.fill("#booking_cancel_cutoff_hours", "100")
    page.get_by_role("button", name="保存孕检预约").click()
    page.locator("#booking_cancel_cutoff_hours-error").wait_for()
    assert "0到72" in page.inner_text("#booking_cancel_cutoff_hours-error")
    assert axe_violations(page) == []
    screenshot(page, f"console-settings-refused-{size}")

    page.fill("#booking_cancel_cutoff_hours", "24")
    page.get_by_role("button", name="保存孕检预约").click()
    page.locator(".message-success").wait_for()
    assert "取消或改约截止：12 → 24小时" in page.inner_text("#history")
    with app.app_context():
        assert township_settings.current().booking_cancel_cutoff_hours == 24
    page.goto(live_server.url("/console/settings"))
    assert axe_violations(page) == []
    screenshot(page, f"console-settings-{size}")
    page.problems.assert_none()
