"""Reports to hand in (报表下载): pick a month, and one click downloads that month's
registrations, checks, supplies, satisfaction, or all of them in one workbook; and, for the
township office, sharing the year's target out to the villages (任务分解到村).

The sheets, their scope and the audit are ``services.monthly_reports``'s; the shares and
their rules ``services.screening.village_targets``'s. This module turns the month picker and
the shares form into their calls, and their refusals into messages beside the fields."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from wxapp.china_time import china_today
from wxapp.console.access import console_required
from wxapp.errors import ValidationFailed
from wxapp.formats.spreadsheets import as_xlsx
from wxapp.services import monthly_reports
from wxapp.services.screening import stats as screening_stats
from wxapp.services.screening import village_targets
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import XLSX, download

bp = Blueprint("console_reports", __name__, url_prefix="/console/reports")
NO_STORE = {"Cache-Control": "no-store"}

REPORTS = [
    ("registrations", "生育登记",
     "各村（社区）当月的申请数、孩次、审核结果、平均审核用时和超期未审数。"),
    ("checks", "孕前检查及指标", "各村（社区）当月完成检查、高风险、未到检、随访完成的对数，"
                          "以及年初至当月的目标人群覆盖率等指标。"),
    ("supplies", "药具发放", "各发放点当月每种药具的发放数量、发放人次、补货和报损。"),
    ("ratings", "好差评", "当月各项服务、各村（社区）的评价数、各等级数和满意率，不含评价人。"),
]


def _page(month: str, errors: dict, status: int = 200):
    today = china_today()
    # A month refused (one not yet begun, say) says nothing about which year to show.
    year = today.year if errors or not month[:4].isdigit() else int(month[:4])
    target, target_of = screening_stats.target_in_scope(g.staff, year)
    body = render_template("console/reports/page.html", month=month, errors=errors,
                           reports=REPORTS, latest=f"{today.year}-{today.month:02d}",
                           year=year, target=target, target_of=target_of,
                           names=monthly_reports.REPORT_NAMES)
    return body, status


@bp.get("")
@console_required(*monthly_reports.READERS)
def page():
    return _page(monthly_reports.last_month(china_today()), {})


@bp.get("/download")
@console_required(*monthly_reports.READERS)
def download_report():
    month = request.args.get("month", "")[:20]
    kind = request.args.get("kind", "all")
    if kind not in monthly_reports.KINDS:
        kind = "all"
    try:
        book = monthly_reports.workbook(g.staff, kind, month)
    except ValidationFailed as error:
        return _page(month, error.details or {"month": error.message}, 422)
    return download(as_xlsx(book.sheets), XLSX, book.filename, book.ascii_filename)


# -- the villages' shares of the year's target -------------------------------------------------
def _year(raw: str | None) -> int:
    today = china_today()
    if raw and raw.isascii() and raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today.year


def _targets_page(year: int, errors: dict, values: dict | None = None, status: int = 200):
    figures = village_targets.village_targets(g.staff, year)
    this_year = china_today().year
    body = render_template("console/reports/targets.html", figures=figures, errors=errors,
                           values=values or {}, years=range(this_year - 1, this_year + 2))
    return body, status, NO_STORE


@bp.get("/targets")
@console_required(*village_targets.SETTERS)
def targets():
    return _targets_page(_year(request.args.get("year")), {})


@bp.post("/targets")
@console_required(*village_targets.SETTERS)
def save_targets():
    year = _year(request.form.get("year"))
    villages = village_targets.village_targets(g.staff, year)["villages"]
    # Only this township's villages are read from the form: nothing else can be named.
    shares = {v["village_id"]: request.form.get(v["field"], "")[:20] for v in villages}
    try:
        result = village_targets.set_village_targets(g.staff, year, shares)
    except ValidationFailed as error:
        values = {village_targets.field_name(k): v for k, v in shares.items()}
        return _targets_page(year, error.details or {"form": error.message}, values, 422)
    if result["changed"]:
        flash(f"已保存{year}年各村（社区）的目标任务数。", "success")
    else:
        flash("没有改动。", "info")
    return redirect(url_for("console_reports.targets", year=year))
