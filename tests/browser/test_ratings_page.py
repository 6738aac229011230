"""好差评 in Chromium, at an office PC's width and on a 360 px phone: under the real CSP with
nothing refused, the charts at their cards' width, an overdue call-back marked, the rater's
phone revealed in place (htmx) and a call-back recorded; no sideways scrolling on the phone,
no serious axe violation; screenshots kept."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.console.conftest import Console
from tests.console.rating_world import RatingWorld
from wxapp.china_time import CHINA, utc_now
from wxapp.services.rating_board import current_month


@pytest.fixture
def ratings_world(app):
    """This month's figures, an overdue 差评 (ten days old), a new one, and an appealed one."""
    world = RatingWorld(app)
    now = utc_now()
    world.counts("registration", "东湖村", {5: 6, 4: 2, 3: 1}, now)
    world.counts("registration", "西岭村", {4: 1, 2: 1}, now)
    world.counts("pickup", "东湖村", {5: 2, 4: 1}, now)
    world.counts("handover", None, {5: 1}, now)
    old = world.rated_case(score=1, comment="等了很久没人理，打电话也没人接",
                           when=(now - timedelta(days=10)).astimezone(CHINA))
    new = world.rated_case(score=2, village="西岭村", name="刘晓梅", phone="13698765432")
    appealed = world.rated_case(score=2, name="王丽", phone="13511112222")
    world.call_back_and_appeal(appealed, "已电话解释。", "解释得不清楚")
    return {"month": current_month(now), "overdue": old, "new": new, "appealed": appealed}


def _sign_in(app, live_server, page, role, **fields):
    client, _ = Console(app).sign_in(role, **fields)
    carry_session(page, live_server, client)
    return page


def _open(page, url: str):
    response = page.goto(url)
    assert response.status == 200
    assert page.inner_text("h1") == "好差评"
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.dashboard-grid')).display") == "grid"
    widths = page.evaluate("""[...document.querySelectorAll('.chart svg')].map(svg =>
        [svg.getBoundingClientRect().width, svg.parentElement.getBoundingClientRect().width])""")
    assert len(widths) == 2 and all(0 < svg <= card + 0.5 for svg, card in widths)


def test_the_office_calls_back_a_poor_rating(app, live_server, desktop_page, ratings_world):
    page = _sign_in(app, live_server, desktop_page, "township_admin")
    _open(page, live_server.url(f"/console/ratings?month={ratings_world['month']}"))
    overdue = page.locator(f"#callback-{ratings_world['overdue']}")
    assert "已逾期" in overdue.inner_text()
    assert page.evaluate(f"""getComputedStyle(document.querySelector(
        '#callback-{ratings_world["overdue"]}')).borderLeftWidth""") == "10px"
    assert "解释得不清楚" in page.inner_text("#appeals")
    screenshot(page, "ratings-1280")
    assert axe_violations(page) == []

    overdue.get_by_role("button", name="显示完整号码：评价人手机号码").click()
    page.wait_for_selector(f"#pii-rating-{ratings_world['overdue']}-rater_phone .pii-value")
    assert "13912345678" in overdue.inner_text()

    overdue.get_by_label("回访核实和整改情况").fill("已电话回访，向居民道歉并说明了办理时限。")
    overdue.get_by_role("button", name="保存回访记录").click()
    page.wait_for_load_state()
    assert "已记录回访情况" in page.inner_text(".messages")
    assert page.locator(f"#callback-{ratings_world['overdue']}").count() == 0
    page.problems.assert_none()


@pytest.mark.parametrize(("role", "fields"), [("township_admin", {}),
                                              ("village_worker", {"village": "东湖村"})])
def test_the_page_on_a_phone(app, live_server, phone_page, ratings_world, role, fields):
    page = _sign_in(app, live_server, phone_page, role, **fields)
    _open(page, live_server.url(f"/console/ratings?month={ratings_world['month']}"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert (page.locator("#callbacks").count() == 1) is (role == "township_admin")
    screenshot(page, f"ratings-360-{role}")
    assert axe_violations(page) == []
    page.problems.assert_none()
