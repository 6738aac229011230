"""报表下载 in the console: who may open it and download what, the month it offers (last month,
China's, on any day of the year), the files it answers with (XLSX with a Chinese file name and
an ASCII one to fall back on, never cached), and a bad month answered beside the field with
no file and no audit row."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.china_clock import FIXED_MOMENTS, at_china, every_fixed_moment
from tests.console.dashboard_world import DashboardWorld
from tests.console.reports_history import Month, make_month
from tests.console.reports_sheets import read_workbook, summed
from wxapp.extensions import db
from wxapp.models import AuditLog
from wxapp.web.files import XLSX

PAGE = "/console/reports"
DOWNLOAD = "/console/reports/download"
MID_YEAR = FIXED_MOMENTS["30 June"]
MAY = Month.before(MID_YEAR)
KINDS = ["registrations", "checks", "supplies", "ratings", "all"]


@pytest.fixture
def history(app):
    """May 2027's history, made in an app context of its own and left before any request."""
    with app.app_context():
        make_month(DashboardWorld(), MAY)


def _audits(app, action="report.hand_in"):
    with app.app_context():
        return [(a.target_id, a.detail) for a in db.session.scalars(
            select(AuditLog).filter_by(action=action).order_by(AuditLog.id))]


@pytest.mark.parametrize(("role", "status"), [
    ("township_admin", 200), ("reviewer", 200), ("village_worker", 200), ("clinic", 403)])
def test_who_may_open_the_page_and_download(console, role, status):
    with at_china(MID_YEAR):
        client, _ = console.sign_in(role)
        page = client.get(PAGE)
        answer = client.get(DOWNLOAD, query_string={"month": MAY.name, "kind": "all"})
    assert page.status_code == status and answer.status_code == status
    if status == 403:
        assert "您的账号没有此项权限" in answer.get_data(as_text=True)
        assert "Content-Disposition" not in answer.headers
        return
    html = page.get_data(as_text=True)
    assert 'href="/console/reports"' in html and "报表下载" in html  # its navigation entry
    for kind in KINDS:
        assert f'name="kind" value="{kind}"' in html
    assert ("年度目标分解到村" in html) == (role == "township_admin")
    assert answer.mimetype == XLSX


def test_signed_out_is_sent_to_sign_in(client):
    answer = client.get(DOWNLOAD, query_string={"month": "2027-05", "kind": "all"})
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


@every_fixed_moment
def test_the_page_offers_last_month_in_china(console, moment):
    with at_china(moment):
        client, _ = console.sign_in("village_worker")
        html = client.get(PAGE).get_data(as_text=True)
    assert f'value="{Month.before(moment).name}"' in html
    assert f'max="{moment.year}-{moment.month:02d}"' in html


@pytest.mark.parametrize("kind", KINDS)
def test_each_report_downloads_with_a_chinese_name(console, history, app, kind):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("township_admin")
        answer = client.get(DOWNLOAD, query_string={"month": MAY.name, "kind": kind})
    assert answer.status_code == 200 and answer.mimetype == XLSX
    assert answer.headers["Cache-Control"] == "no-store"
    names = {"registrations": "生育登记情况月报表", "checks": "孕前优生健康检查月报表",
             "supplies": "免费避孕药具发放月报表", "ratings": "政务服务好差评月报表",
             "all": "全部报表"}
    chinese = f"示范镇{names[kind]}_2027年5月.xlsx"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{kind}-2027-05.xlsx"; '
        f"filename*=UTF-8''{quote(chinese, safe='')}")
    sheets = read_workbook(answer.data)
    first = next(iter(sheets.values()))
    assert first.title_block[0].startswith("示范镇")
    if kind in ("registrations", "all"):
        registrations = sheets["生育登记"]
        assert registrations.totals[0]["申请数"] == summed(registrations.rows, "申请数") == 3
    assert _audits(app) == [(kind, {"month": "2027-05", "scope": "示范镇"})]


def test_a_village_workers_files_hold_her_village_only(console, history):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("village_worker", village="东湖村")
        answer = client.get(DOWNLOAD, query_string={"month": MAY.name, "kind": "all"})
    assert quote("示范镇东湖村全部报表_2027年5月.xlsx", safe="") in \
        answer.headers["Content-Disposition"]
    sheets = read_workbook(answer.data)
    cells = [str(v) for s in sheets.values()
             for row in s.sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert not any("西岭" in c or "南桥" in c for c in cells)
    assert sheets["生育登记"].totals[0]["申请数"] == 2
    indicators = {r["指标"]: r["数值"] for r in sheets["孕前检查指标"].rows}
    assert indicators["目标人群覆盖率(%)"] == "未分解到村"


@pytest.mark.parametrize(("month", "words"), [
    ("2027-13", "月份格式应为"), ("", "请选择月份"), ("2027-07", "这个月还没有到"),
    ("五月", "请选择月份")])
def test_a_bad_month_is_explained_beside_the_field(console, app, month, words):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("reviewer")
        answer = client.get(DOWNLOAD, query_string={"month": month, "kind": "checks"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    assert "Content-Disposition" not in answer.headers
    assert '<p class="field-error" id="month-error">' in html and words in html
    assert 'aria-invalid="true"' in html
    assert _audits(app) == []


def test_an_unknown_kind_gives_the_whole_workbook(console, history):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("township_admin")
        answer = client.get(DOWNLOAD, query_string={"month": MAY.name, "kind": "secrets"})
    assert answer.status_code == 200
    assert list(read_workbook(answer.data)) == ["生育登记", "孕前检查", "孕前检查指标",
                                                "药具发放", "好差评"]


def test_downloading_twice_gives_the_same_figures(console, history):
    with at_china(MID_YEAR):
        client, _ = console.sign_in("township_admin")
        first, second = (client.get(DOWNLOAD, query_string={"month": MAY.name,
                                                             "kind": "all"}) for _ in range(2))
    rows = [{name: (s.rows, s.totals) for name, s in read_workbook(answer.data).items()}
            for answer in (first, second)]
    assert rows[0] == rows[1]


def test_the_page_says_whose_target_coverage_is_measured_against(console, app):
    with at_china(MID_YEAR):
        worker, _ = console.sign_in("village_worker", village="东湖村")
        office, _ = console.sign_in("township_admin")
        mine, theirs = (c.get(PAGE).get_data(as_text=True) for c in (worker, office))
    assert "本村年度目标：<strong>未分解到村</strong>" in mine
    assert "全镇年度目标：<strong>尚未设置</strong>" in theirs
