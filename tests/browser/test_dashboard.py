"""The dashboard in Chromium, at an office PC's width and a village worker's phone: it loads
under the real CSP with nothing refused, the charts are drawn at the card's width, nothing
runs off a 360 px screen, axe finds no serious violation, and screenshots are kept."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.console.conftest import Console
from tests.console.dashboard_world import DashboardWorld
from wxapp.china_time import CHINA, utc_now


@pytest.fixture
def signed_in(app, live_server):
    """Some history (a few minutes old, so any hour will do), then a browser context signed
    in as ``role`` by handing it the session the console's own sign-in gave a test client."""
    with app.app_context():
        world = DashboardWorld()
        now = utc_now().astimezone(CHINA)
        world.registration("东湖村", now - timedelta(minutes=30))
        world.registration("西岭村", now - timedelta(days=40))
        world.target(now.year, 40)
        world.check("西岭村", now - timedelta(minutes=20), risk="high_risk")
        world.pickup("CAB-DH-01", now - timedelta(minutes=10), ("condom-m", 5))
        world.threshold("CAB-DH-01", "gel-nonoxynol", 100)
        world.lose_all("CAB-XL-01", "condom-l")
        world.silent_cabinet("CAB-XL-01", now)
        for outcome in ("answered", "answered", "suggested", "not_answered"):
            world.question(outcome, now - timedelta(minutes=5))
        world.handover(now - timedelta(minutes=4))

    def sign_in(page, role: str, **fields):
        client, _ = Console(app).sign_in(role, **fields)
        carry_session(page, live_server, client)
        return page

    return sign_in


def _open(page, url: str):
    response = page.goto(url)
    assert response.status == 200
    assert page.inner_text("h1") == "统计概览"
    # The stylesheet loaded (the CSP allows only the console's own files) and the charts
    # scale to their cards.
    assert page.evaluate("getComputedStyle(document.querySelector('.tiles')).display") == "grid"
    widths = page.evaluate("""[...document.querySelectorAll('.chart svg')].map(svg =>
        [svg.getBoundingClientRect().width, svg.parentElement.getBoundingClientRect().width])""")
    assert widths and all(0 < svg <= card + 0.5 for svg, card in widths)


def test_the_office_dashboard_on_a_desk(signed_in, live_server, desktop_page):
    page = signed_in(desktop_page, "township_admin")
    _open(page, live_server.url("/console/dashboard"))
    assert page.locator("svg[role=img]").count() == 6
    page.click("#registrations summary")  # the numbers behind a chart, by keyboard or mouse
    assert page.locator("#table-registration-months").is_visible()
    screenshot(page, "dashboard-1280")
    assert axe_violations(page) == []
    page.problems.assert_none()


@pytest.mark.parametrize(("role", "fields"), [("township_admin", {}),
                                              ("village_worker", {"village": "东湖村"})])
def test_the_dashboard_on_a_phone(signed_in, live_server, phone_page, role, fields):
    page = signed_in(phone_page, role, **fields)
    _open(page, live_server.url("/console/dashboard"))
    # Nothing wider than the screen: no sideways scrolling to read a figure.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"dashboard-360-{role}")
    assert axe_violations(page) == []
    page.problems.assert_none()
