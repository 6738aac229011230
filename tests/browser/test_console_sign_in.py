"""The console's sign-in and two-step enrolment in Chromium, on an office PC and a phone:
the pages work under their CSP (no script or style refused), pass axe, and are saved as
screenshots (tests/artefacts/console-*.png) for a person to look at."""
from __future__ import annotations

import re

import pyotp
import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.console.conftest import PASSWORD, Console


@pytest.mark.parametrize("viewport, role", [("desktop", "township_admin"),
                                            ("phone", "reviewer")])
def test_sign_in_and_enrol_two_step_sign_in(app, live_server, desktop_page, phone_page,
                                            viewport, role):
    page = desktop_page if viewport == "desktop" else phone_page
    width = 1280 if viewport == "desktop" else 360
    staff = Console(app).make_staff(role)

    page.goto(live_server.url("/console/login?next=/console/account"))
    assert page.title().startswith("登录")
    screenshot(page, f"console-login-{width}")
    assert axe_violations(page) == []

    page.fill("#username", staff.username)
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确。" in page.inner_text("main")
    screenshot(page, f"console-login-error-{width}")

    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/login/two-step$"))
    assert page.locator("svg.qr-code").is_visible()
    screenshot(page, f"console-enrol-{width}")
    assert axe_violations(page) == []

    secret = page.inner_text("#secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/account$"))
    assert staff.display_name in page.inner_text("header")
    assert "两步验证已设置好" in page.inner_text("main")
    screenshot(page, f"console-account-{width}")
    assert axe_violations(page) == []
    if viewport == "phone":
        # The navigation folds behind the menu button on a phone, and opens with it.
        assert not page.locator("#nav-list").is_visible()
        page.click(".nav-toggle")
        assert page.locator("#nav-list").is_visible()
    else:
        assert page.locator("#nav-list").is_visible()
    page.problems.assert_none()
