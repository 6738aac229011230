"""报表下载 in Chromium: the office picks last month, one click downloads the whole workbook,
and its totals are the sums of its rows and the month's history; a village worker's phone
gets her village's file. The page loads under the real CSP with nothing refused, axe finds
no serious violation, nothing runs off a 360 px screen, and screenshots are kept."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.console.conftest import Console
from tests.console.dashboard_world import DashboardWorld
from tests.console.reports_history import Month, make_month
from tests.console.reports_sheets import read_workbook, summed
from wxapp.china_time import utc_now


@pytest.fixture
def signed_in(app, live_server):
    """Last month's history (China's calendar), then a browser context signed in as ``role``
    with the session the console's own sign-in gave a test client."""
    month = Month.before(utc_now())
    with app.app_context():
        make_month(DashboardWorld(), month)

    def sign_in(page, role: str, **fields):
        client, _ = Console(app).sign_in(role, **fields)
        carry_session(page, live_server, client)
        return page

    sign_in.month = month
    return sign_in


def _open(page, url: str, month: Month):
    response = page.goto(url)
    assert response.status == 200
    assert page.inner_text("h1") == "报表下载"
    assert page.input_value("#month") == month.name  # last month, offered by default
    # The page's own stylesheet loaded (the CSP allows only the console's files).
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.report-item')).display") == "flex"


def _download(page, button: str, tmp_path):
    with page.expect_download() as waiting:
        page.click(button)
    download = waiting.value
    path = tmp_path / "report.xlsx"
    download.save_as(path)
    return download.suggested_filename, read_workbook(path.read_bytes())


def test_the_office_downloads_the_whole_workbook(signed_in, live_server, desktop_page,
                                                 tmp_path):
    page = signed_in(desktop_page, "township_admin")
    month = signed_in.month
    _open(page, live_server.url("/console/reports"), month)
    screenshot(page, "reports-1280")
    assert axe_violations(page) == []

    name, sheets = _download(page, "#download-all", tmp_path)
    assert name == f"示范镇全部报表_{month.start.year}年{month.start.month}月.xlsx"
    registrations = sheets["生育登记"]
    assert registrations.title_block[0] == "示范镇生育登记情况月报表"
    assert registrations.totals[0]["申请数"] == summed(registrations.rows, "申请数") == 3
    checks = sheets["孕前检查"]
    assert checks.totals[0]["完成检查(对)"] == summed(checks.rows, "完成检查(对)") == 3
    supplies = sheets["药具发放"]
    medium = next(t for t in supplies.totals if t["药具"] == "避孕套（中号）")
    assert medium["发放数量"] == 10 and medium["发放人次"] == 3
    assert sheets["好差评"].totals[0]["评价数"] == 3
    page.problems.assert_none()


def test_a_wrong_month_is_explained_on_the_page(signed_in, live_server, desktop_page):
    page = signed_in(desktop_page, "reviewer")
    _open(page, live_server.url("/console/reports"), signed_in.month)
    page.fill("#month", "2099-01")
    page.click("#download-registrations")
    page.wait_for_selector("#month-error")
    assert "这个月还没有到" in page.inner_text("#month-error")
    assert page.get_attribute("#month", "aria-invalid") == "true"
    screenshot(page, "reports-month-error")
    assert axe_violations(page) == []


def test_a_village_worker_on_her_phone(signed_in, live_server, phone_page, tmp_path):
    page = signed_in(phone_page, "village_worker", village="东湖村")
    _open(page, live_server.url("/console/reports"), signed_in.month)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "未分解到村" in page.inner_text("main")
    screenshot(page, "reports-360-village_worker")
    assert axe_violations(page) == []

    name, sheets = _download(page, "#download-registrations", tmp_path)
    assert name.startswith("示范镇东湖村生育登记情况月报表_")
    assert [r["村/社区"] for r in sheets["生育登记"].rows] == ["东湖村"]
    assert sheets["生育登记"].totals[0]["申请数"] == 2
    page.problems.assert_none()


def test_the_office_shares_the_target_out(signed_in, live_server, desktop_page):
    page = signed_in(desktop_page, "township_admin")
    page.goto(live_server.url("/console/reports/targets?year=" +
                              str(signed_in.month.start.year)))
    assert page.inner_text("h1") == "年度目标分解到村"
    fields = page.locator(".targets-table input")
    fields.nth(0).fill("4")
    fields.nth(1).fill("9")
    page.click("button:has-text('保存')")
    page.wait_for_selector("#form-error")
    assert "超过了全镇" in page.inner_text("#form-error")
    screenshot(page, "reports-targets-error")
    fields = page.locator(".targets-table input")
    fields.nth(1).fill("3")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".message-success")
    assert page.inner_text("#unassigned") == "3对"
    screenshot(page, "reports-targets")
    assert axe_violations(page) == []
    page.problems.assert_none()
