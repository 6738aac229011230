"""月度发放: the county report's month (``services.supplies.reports``) as tables, with a
month picker: per item, per village and point, and pickups per point. Aggregates only."""
from __future__ import annotations

import re

from flask import g, render_template, request

from wxapp.china_time import china_today
from wxapp.console.access import console_required
from wxapp.console.supplies import bp
from wxapp.formats.svg_charts import month_label
from wxapp.services.supplies import ledger
from wxapp.services.supplies import reports as supply_reports

READERS = ledger.LEDGER_STAFF
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@bp.get("/report")
@console_required(*READERS)
def report():
    this_month = china_today().strftime("%Y-%m")
    month = (request.args.get("month") or this_month).strip()
    problem = None
    if not MONTH.match(month) or not 2000 <= int(month[:4]) <= 2100:
        problem = "月份格式应为 2026-11，已显示本月。"
        month = this_month
    rows = supply_reports.monthly_distribution(g.staff, month)
    return render_template(
        "console/supplies/report.html", month=month, month_label=month_label(month),
        this_month=this_month, problem=problem, rows=rows, columns=supply_reports.COLUMNS,
        by_item=supply_reports.by_item(rows), item_columns=supply_reports.ITEM_COLUMNS,
        pickups=supply_reports.pickups_by_point(g.staff, month))
