"""The month's reports as a county office receives them: a title block on every sheet, totals
that are the sums of the rows and agree with the services' own figures, A4 print setup; cut
to the reader's scope, a village worker's coverage against her village's share; on any day
of the year, months being China's."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.china_clock import FIXED_MOMENTS, at_china, every_fixed_moment
from tests.console.dashboard_world import DashboardWorld
from tests.console.reports_history import TOWNSHIP_TARGET, Month, make_month
from tests.console.reports_sheets import read_workbook, summed
from wxapp.errors import Forbidden, ValidationFailed
from wxapp.extensions import db
from wxapp.formats.spreadsheets import as_xlsx
from wxapp.models import AuditLog
from wxapp.services import monthly_reports, ratings
from wxapp.services.registration import reports as registration_reports
from wxapp.services.screening import village_targets
from wxapp.services.supplies import reports as supply_reports
from wxapp.transactions import commit

MID_YEAR = FIXED_MOMENTS["30 June"]
SHEETS = ["生育登记", "孕前检查", "孕前检查指标", "药具发放", "好差评"]


@pytest.fixture
def world(app_ctx):
    return DashboardWorld()


def _made(world, moment):
    month = Month.before(moment)
    make_month(world, month)
    return month


def _report(staff, kind, month, moment):
    with at_china(moment):
        book = monthly_reports.workbook(staff, kind, month.name)
        commit()
        return book, read_workbook(as_xlsx(book.sheets))


@every_fixed_moment
def test_the_offices_workbook_has_title_blocks_totals_and_print_setup(world, moment):
    month = _made(world, moment)
    admin = world.staff["demo-admin"]
    book, sheets = _report(admin, "all", month, moment)

    assert list(sheets) == SHEETS
    assert book.filename == f"示范镇全部报表_{month.start.year}年{month.start.month}月.xlsx"
    made_on = f"制表日期：{moment.year}年{moment.month}月{moment.day}日"
    for name, sheet in sheets.items():
        title, period, made = sheet.title_block
        assert title.startswith("示范镇") and title.endswith("月报表"), name
        assert period.startswith(f"统计期间：{month.start.year}年"), name
        assert made.startswith("制表单位：示范镇") and made.endswith(made_on), name
        setup = sheet.sheet.page_setup
        assert int(setup.paperSize) == 9  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.sheet.sheet_properties.pageSetUpPr.fitToPage
        assert setup.orientation in ("portrait", "landscape")
        assert sheet.sheet.print_title_rows == "$5:$5"
        assert sheet.sheet.freeze_panes == "A6"

    registrations = sheets["生育登记"]
    assert registrations.title_block[0] == "示范镇生育登记情况月报表"
    assert [(r["村/社区"], r["申请数"]) for r in registrations.rows] == [
        ("东湖村", 2), ("西岭村", 1), ("南桥社区", 0)]
    [total] = registrations.totals
    with at_china(moment):
        service = registration_reports.monthly_report(admin, month.name)
    for column in ("申请数", "一孩", "二孩", "三孩及以上", "待审核", "超期未审"):
        assert total[column] == summed(registrations.rows, column) == summed(service, column)
    assert total["村/社区"] == "合计" and total["申请数"] == 3
    # Twelve columns do not fit across a portrait page.
    assert registrations.sheet.page_setup.orientation == "landscape"

    checks = sheets["孕前检查"]
    assert [(r["村/社区"], r["完成检查(对)"], r["高风险(对)"]) for r in checks.rows] == [
        ("东湖村", 2, 1), ("西岭村", 1, 0), ("南桥社区", 0, 0)]
    assert checks.totals[0]["完成检查(对)"] == 3 and checks.totals[0]["高风险(对)"] == 1
    indicators = {r["指标"]: r["数值"] for r in sheets["孕前检查指标"].rows}
    assert indicators["年度目标任务数(对)"] == TOWNSHIP_TARGET
    done = indicators[f"1月至{month.start.month}月累计完成检查(对)"]
    assert done == 3  # the check just after the month is not counted
    assert indicators["目标人群覆盖率(%)"] == round(100 * done / TOWNSHIP_TARGET, 1)
    assert indicators["高风险人群占比(%)"] == 33.3
    assert sheets["孕前检查指标"].title_block[1] == \
        f"统计期间：{month.start.year}年1月至{month.start.month}月"

    supplies = sheets["药具发放"]
    with at_china(moment):
        per_item = supply_reports.by_item(supply_reports.monthly_distribution(admin, month.name))
    given = {t["药具"]: (t["单位"], t["发放数量"], t["发放人次"]) for t in supplies.totals}
    assert given == {i["药具"]: (i["单位"], i["发放数量"], i["发放人次"]) for i in per_item}
    # (The demo's points were stocked when the test began: in some months that is all.)
    assert {item: figures for item, figures in given.items() if figures[1]} == {
        "避孕套（中号）": ("只", 10, 3), "避孕套（大号）": ("只", 2, 1)}
    for total in supplies.totals:
        mine = [r for r in supplies.rows if r["药具"] == total["药具"]]
        for column in ("发放数量", "发放人次", "补货数量", "报损数量"):
            assert total[column] == summed(mine, column)

    satisfaction = sheets["好差评"]
    assert [(r["服务事项"], r["村/社区"], r["评价数"], r["满意率(%)"])
            for r in satisfaction.rows] == [("免费药具领取", "东湖村", 2, 50.0),
                                            ("免费药具领取", "西岭村", 1, 100.0)]
    [total] = satisfaction.totals
    with at_china(moment):
        service = ratings.monthly_summary(admin, month.name)
    assert total["评价数"] == summed(satisfaction.rows, "评价数") == \
        sum(r["total"] for r in service) == 3
    assert (total["非常满意"], total["满意"], total["不满意"]) == (1, 1, 1)
    assert total["满意率(%)"] == 66.7  # of all ratings, not the mean of the rows' rates


def test_nothing_in_the_reports_names_a_resident_or_a_rater(world):
    month = _made(world, MID_YEAR)
    _, sheets = _report(world.staff["demo-admin"], "all", month, MID_YEAR)
    cells = {str(v) for s in sheets.values()
             for row in s.sheet.iter_rows(values_only=True) for v in row if v is not None}
    assert not any("王芳" in c for c in cells)
    assert "评价人" not in sheets["好差评"].header


def test_a_village_worker_gets_her_village_against_her_share(world):
    month = _made(world, MID_YEAR)
    worker = world.staff["demo-village"]  # 东湖村
    book, sheets = _report(worker, "all", month, MID_YEAR)

    assert book.filename.startswith("示范镇东湖村全部报表_")
    for sheet in sheets.values():
        assert sheet.title_block[0].startswith("示范镇东湖村")
        assert all(r.get("村/社区", "东湖村") == "东湖村" for r in sheet.rows)
    assert sheets["生育登记"].totals[0]["申请数"] == 2
    assert sheets["孕前检查"].totals[0]["完成检查(对)"] == 2
    assert {t["药具"]: t["发放数量"] for t in sheets["药具发放"].totals if t["发放数量"]} == {
        "避孕套（中号）": 7, "避孕套（大号）": 2}
    assert all(r["发放点"].startswith("东湖村") for r in sheets["药具发放"].rows)
    assert sheets["好差评"].totals[0]["评价数"] == 2
    # No share yet: the township's target is not hers, and nothing is invented.
    indicators = {r["指标"]: r["数值"] for r in sheets["孕前检查指标"].rows}
    assert indicators["年度目标任务数(对)"] == "未分解到村"
    assert indicators["目标人群覆盖率(%)"] == "未分解到村"

    with at_china(MID_YEAR):
        village_targets.set_village_targets(world.staff["demo-admin"], month.start.year,
                                            {world.villages["东湖村"].id: 4})
        commit()
    _, sheets = _report(worker, "checks", month, MID_YEAR)
    indicators = {r["指标"]: r["数值"] for r in sheets["孕前检查指标"].rows}
    assert indicators["年度目标任务数(对)"] == 4
    assert indicators["目标人群覆盖率(%)"] == 50.0  # 2 of her village's 4
    assert "本村分到的年度目标任务数" in sheets["孕前检查指标"].notes[0]
    # The office's own report is still measured against the township's target.
    _, sheets = _report(world.staff["demo-admin"], "checks", month, MID_YEAR)
    indicators = {r["指标"]: r["数值"] for r in sheets["孕前检查指标"].rows}
    assert indicators["目标人群覆盖率(%)"] == 30.0


@pytest.mark.parametrize("kind", ["registrations", "checks", "supplies", "ratings"])
def test_each_report_alone_and_its_audit(world, kind):
    month = _made(world, MID_YEAR)
    book, sheets = _report(world.staff["demo-reviewer"], kind, month, MID_YEAR)
    assert book.ascii_filename == f"{kind}-{month.name}.xlsx"
    assert book.filename == f"示范镇{monthly_reports.REPORT_NAMES[kind]}_2027年5月.xlsx"
    assert next(iter(sheets.values())).totals  # the indicators sheet has none to add up
    [audit] = db.session.scalars(select(AuditLog).filter_by(action="report.hand_in")).all()
    assert (audit.target_id, audit.detail["month"]) == (kind, month.name)


def test_an_empty_month_still_has_every_village_and_zero_totals(world):
    _, sheets = _report(world.staff["demo-admin"], "all", Month.before(MID_YEAR), MID_YEAR)
    assert [r["村/社区"] for r in sheets["生育登记"].rows] == ["东湖村", "西岭村", "南桥社区"]
    assert sheets["生育登记"].totals[0]["申请数"] == 0
    assert sheets["好差评"].totals[0]["评价数"] == 0
    assert sheets["好差评"].totals[0]["满意率(%)"] is None
    indicators = {r["指标"]: r["数值"] for r in sheets["孕前检查指标"].rows}
    assert indicators["年度目标任务数(对)"] == "未设置"


def test_clinic_staff_are_refused_and_bad_months_explained(world):
    with pytest.raises(Forbidden):
        monthly_reports.workbook(world.staff["demo-clinic"], "all", "2027-05", MID_YEAR)
    with at_china(MID_YEAR):
        for month, words in [("2027-13", "月份格式"), ("", "请选择月份"), ("2027-5", "请选择月份"),
                             ("2027-07", "还没有到"), ("1999-12", "月份不正确")]:
            with pytest.raises(ValidationFailed) as refused:
                monthly_reports.workbook(world.staff["demo-admin"], "all", month)
            assert words in refused.value.details["month"], month
        # This month so far may be reported.
        assert monthly_reports.workbook(world.staff["demo-admin"], "registrations", "2027-06")
    assert monthly_reports.last_month(MID_YEAR.date()) == "2027-05"
    assert monthly_reports.last_month(FIXED_MOMENTS["1 January 00:30"].date()) == "2026-12"
