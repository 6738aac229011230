"""药具 pages in Chromium: the office receives a box by scanning its batch number, a village
worker on her phone takes stock into her cabinet and counts it, and the books still balance;
the points' list and sketch map at an office PC's width and a phone's."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.console_pages import no_axe_violations, signed_in
from tests.console.supplies_world import SuppliesWorld


@pytest.fixture
def console(app):
    from tests.console.conftest import Console

    return Console(app)


@pytest.fixture
def world(app):
    return SuppliesWorld(app)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_points_list_and_map(request, console, live_server, world, width):
    page = request.getfixturevalue(f"{width}_page")
    world.status("CAB-XL-01", "fault")
    world.threshold("CAB-DH-01", "condom-m", 60)
    signed_in(page, console, live_server, "township_admin")
    page.goto(live_server.url("/console/supplies/points"))
    assert "故障 1 个" in page.inner_text(".scope-line")
    assert page.locator("svg#supply-point-map circle").count() >= 4
    assert "东湖村卫生室自助发放机" in page.inner_text("#table-points")
    screenshot(page, f"supplies-points-{'1280' if width == 'desktop' else '360'}")
    assert no_axe_violations(page)
    if width == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.problems.assert_none()


def test_office_scans_a_receipt(console, live_server, world, desktop_page):
    page = desktop_page
    signed_in(page, console, live_server, "township_admin")
    page.goto(live_server.url("/console/supplies/receipt"))
    assert page.evaluate("document.activeElement.id") == "batch_no"
    # A USB scanner types the number and presses Enter: the form moves on, it is not sent.
    page.keyboard.type("SCAN-2031-07")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "item_id"
    page.select_option("#item_id", label="避孕套（中号）（只）")
    page.fill("#expires_on", "2031-07-31")
    page.fill("#quantity", "abc")
    page.click("button:has-text('登记入库')")
    assert "数量必须是整数" in page.inner_text("#error-quantity")
    assert page.input_value("#batch_no") == "SCAN-2031-07"
    screenshot(page, "supplies-receipt-error-1280")
    assert no_axe_violations(page)
    page.fill("#quantity", "200")
    page.click("button:has-text('登记入库')")
    page.wait_for_selector(".message-success")
    assert "已入库" in page.inner_text(".messages")
    assert "SCAN-2031-07" in page.inner_text("main")
    assert world.problems() == []
    page.problems.assert_none()


def test_village_worker_takes_stock_in_and_counts_it(console, live_server, world, phone_page):
    page = phone_page
    signed_in(page, console, live_server, "village_worker")
    page.goto(live_server.url("/console/supplies/points"))
    assert "西岭" not in page.inner_text("#table-points")
    page.click("#table-points a:has-text('东湖村卫生室自助发放机')")
    page.click("text=领入补货")
    page.select_option("#item_id", label="避孕套（中号）（只）")
    page.fill("#quantity", "40")
    page.click("button:has-text('登记领入')")
    page.wait_for_selector(".message-success")
    assert "已领入东湖村卫生室自助发放机" in page.inner_text(".messages")
    assert world.level("CAB-DH-01", "condom-m") == 100

    condom = world.items["condom-m"]
    page.click(f"a[href*='stock-take'][href*='item={condom}&'][href$='batch=DEMO-2026-01']")
    assert page.input_value("#batch_no") == "DEMO-2026-01"
    page.fill("#counted", "97")
    page.fill("#reason", "月末盘点，3只包装破损已销毁")
    screenshot(page, "supplies-stock-take-360")
    assert no_axe_violations(page)
    page.click("button:has-text('登记盘点结果')")
    page.wait_for_selector(".message-success")
    assert "账面减少 3只" in page.inner_text(".messages")
    assert world.level("CAB-DH-01", "condom-m") == 97
    assert "盘点调整" in page.inner_text("#table-ledger")
    screenshot(page, "supplies-point-360")
    assert no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert world.problems() == []
    page.problems.assert_none()


def test_tasks_guidance_and_month_pages_read_well(console, live_server, world, phone_page):
    page = phone_page
    world.threshold("CAB-DH-01", "condom-m", 60)
    world.unconfirmed_pickup()
    signed_in(page, console, live_server, "village_worker")
    for path, name in (("/console/supplies/tasks", "tasks"),
                       ("/console/supplies/guidance", "guidance"),
                       ("/console/supplies/report", "report")):
        page.goto(live_server.url(path))
        screenshot(page, f"supplies-{name}-360")
        assert no_axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server.url("/console/supplies/tasks"))
    page.click("button:has-text('已出货')")
    page.wait_for_selector(".message-success")
    assert "已确认出货" in page.inner_text(".messages")
    assert world.problems() == []
    page.problems.assert_none()
