"""The month's reports the township hands in to the county (报表): registrations, the
pre-pregnancy checks and the programme's indicators, contraceptives given out, and
satisfaction (好差评), each as sheets for ``formats.spreadsheets.as_xlsx``, and all of them in
one workbook.

Every figure comes from the service that owns it, cut to the staff member's scope: a village
worker's reports are her village's, and her coverage is measured against her village's share
of the year's target (未分解到村 when the office has not shared it out, never the township's).
Each sheet carries the title block a county office asks for and its totals ("合计"), which
are the sums of the rows above them. Aggregates only: no resident, and never who rated whom.
Handing a report in is audited, as reading personal data is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from wxapp.china_time import china_today
from wxapp.errors import Forbidden, ValidationFailed
from wxapp.extensions import db
from wxapp.formats.spreadsheets import Sheet, TitleBlock, month_bounds, totals_row
from wxapp.models import StaffUser, Township, Village
from wxapp.models.ratings import SCORE_LABELS
from wxapp.services import ratings, township_settings
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.registration import reports as registration_reports
from wxapp.services.screening import stats as screening_stats
from wxapp.services.supplies import reports as supply_reports

READERS = ("township_admin", "reviewer", "village_worker")
REPORT_NAMES = {"registrations": "生育登记情况月报表", "checks": "孕前优生健康检查月报表",
                "supplies": "免费避孕药具发放月报表", "ratings": "政务服务好差评月报表",
                "all": "全部报表"}
KINDS = tuple(REPORT_NAMES)
CHECK_COLUMNS = ["村/社区", *screening_stats.COLUMNS[2:]]
INDICATOR_COLUMNS = ["指标", "数值"]
RATING_COLUMNS = ["服务事项", "村/社区", "评价数", *SCORE_LABELS.values(), "满意率(%)"]
# Ratings of work not done for one village (the office answering a hand-over).
NO_VILLAGE = "镇级（不分村）"
UNASSIGNED = "未分解到村"


@dataclass(frozen=True)
class Workbook:
    filename: str  # Chinese, as the county files it
    ascii_filename: str  # for clients that cannot read the Chinese one
    sheets: list[Sheet]


@dataclass(frozen=True)
class _Scope:
    name: str  # 示范镇, or 示范镇东湖村
    made_by: str
    villages: list[Village]
    township_wide: bool


def last_month(today: date) -> str:
    first = today.replace(day=1) - timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def check_month(month: str, today: date) -> tuple[datetime, datetime]:
    """The month's bounds; a month not yet begun has nothing to report."""
    if not isinstance(month, str) or len(month) != 7:
        raise ValidationFailed("report.month", "请选择月份（如 2026-11）。",
                               details={"month": "请选择月份（如 2026-11）。"})
    try:
        start, end = month_bounds(month)
    except ValidationFailed as error:
        raise ValidationFailed(error.code, error.message,
                               details={"month": error.message}) from None
    if start.year < 2000 or start.date() > today:
        message = "这个月还没有到，请选择本月或以前的月份。" if start.date() > today else \
            "月份不正确。"
        raise ValidationFailed("report.month", message, details={"month": message})
    return start, end


def workbook(staff: StaffUser, kind: str, month: str, now: datetime | None = None) -> Workbook:
    """``kind``'s report for ``month`` (``YYYY-MM``, China's calendar), within the staff
    member's scope; ``all`` is every report in one workbook."""
    if staff.role not in READERS:
        raise Forbidden("report.role_forbidden", "您的账号没有下载报表的权限。")
    if kind not in KINDS:
        raise ValidationFailed("report.kind", "没有这种报表。")
    today = china_today(now)
    start, end = check_month(month, today)
    scope = _scope(staff)
    made = {"today": today, "scope": scope, "month": month, "start": start, "end": end}
    builders = {"registrations": _registrations, "checks": _checks, "supplies": _supplies,
                "ratings": _ratings}
    sheets = [sheet for name in (builders if kind == "all" else (kind,))
              for sheet in builders[name](staff, **made)]
    record_audit(Actor("staff", str(staff.id)), "report.hand_in", "report", kind,
                 {"month": month, "scope": scope.name})
    period = f"{start.year}年{start.month}月"
    return Workbook(f"{scope.name}{REPORT_NAMES[kind]}_{period}.xlsx",
                    f"{kind}-{month}.xlsx", sheets)


def _scope(staff: StaffUser) -> _Scope:
    township = db.session.get(Township, staff.township_id)
    villages = list(db.session.scalars(scoped(select(Village), staff, Village.township_id,
                                              Village.id).order_by(Village.code)))
    if staff.role == "village_worker":
        name = township.name + villages[0].name
        return _Scope(name, name, villages, False)
    office = township_settings.current().office_name
    made_by = office if township.name in office else township.name + office.removeprefix("镇")
    return _Scope(township.name, made_by, villages, True)


def _heading(scope: _Scope, kind: str, start: datetime, end: datetime, today: date,
             period: str | None = None) -> TitleBlock:
    last_day = (end - timedelta(days=1)).date()
    period = period or (f"{start.year}年{start.month}月（{start.month}月{start.day}日至"
                        f"{last_day.month}月{last_day.day}日）")
    return TitleBlock(scope.name, REPORT_NAMES[kind], period, scope.made_by, today)


def _every_village(scope: _Scope, rows: list[dict], blank: dict) -> list[dict]:
    """One row per village in scope, in the county's order (by code), villages with nothing
    included; rows of no village in scope any more (moved, deleted) after them."""
    by_name = {row["村/社区"]: row for row in rows}
    ordered = [by_name.pop(v.name, {**blank, "村/社区": v.name}) for v in scope.villages]
    return ordered + list(by_name.values())


def _registrations(staff, *, today, scope, month, start, end) -> list[Sheet]:
    columns = registration_reports.COLUMNS
    blank = {**dict.fromkeys(columns, 0), "平均审核用时(小时)": None}
    rows = _every_village(scope, registration_reports.monthly_report(staff, month), blank)
    counted = tuple(c for c in columns[1:] if c != "平均审核用时(小时)")
    return [Sheet("生育登记", columns, rows,
                  heading=_heading(scope, "registrations", start, end, today),
                  totals=[totals_row(rows, columns, counted)],
                  notes=("按申请提交时间（北京时间）统计；平均审核用时为当月申请中已作出决定的。",))]


def _checks(staff, *, today, scope, month, start, end) -> list[Sheet]:
    year = start.year
    # Counted up to the month's end, as it stood then: a report redone later says the same.
    as_of = min(today, (end - timedelta(days=1)).date())
    figures = screening_stats.programme_figures(staff, year, as_of, until=end)
    rows = [{"村/社区": row["村/社区"], **{c: row[c] for c in CHECK_COLUMNS[1:]}}
            for row in figures["rows"] if row["月份"] == month]
    rows = _every_village(scope, rows, dict.fromkeys(CHECK_COLUMNS, 0))
    checks = Sheet("孕前检查", CHECK_COLUMNS, rows,
                   heading=_heading(scope, "checks", start, end, today),
                   totals=[totals_row(rows, CHECK_COLUMNS, tuple(CHECK_COLUMNS[1:]))],
                   notes=("完成检查按检查结果录入时间、未到检按预约时段统计（北京时间）。",))
    target = figures["target"]
    missing = UNASSIGNED if figures["target_of"] == "village" else "未设置"
    indicator_rows = [
        {"指标": "年度目标任务数(对)", "数值": missing if target is None else target},
        {"指标": f"1月至{start.month}月累计完成检查(对)", "数值": figures["checks_done"]},
        *({"指标": f"{row['指标']}(%)",
           "数值": missing if row["指标"] == "目标人群覆盖率" and target is None
           else "—" if row["数值(%)"] is None else row["数值(%)"]}
          for row in screening_stats.indicator_rows(figures)),
    ]
    whose = "本村分到的年度目标任务数（全镇目标分解到村）" if figures["target_of"] == "village" \
        else "全镇年度目标任务数"
    indicators = Sheet("孕前检查指标", INDICATOR_COLUMNS, indicator_rows,
                       heading=_heading(scope, "checks", start, end, today,
                                        period=f"{year}年1月至{start.month}月"),
                       notes=(f"目标人群覆盖率 = 累计完成检查对数 ÷ {whose}。",
                              "随访率按截至统计期末应随访的人数计算；“—”表示没有可计算的人数。"))
    return [checks, indicators]


def _supplies(staff, *, today, scope, month, start, end) -> list[Sheet]:
    columns = supply_reports.COLUMNS
    rows = supply_reports.monthly_distribution(staff, month)
    # Units differ between items (只, 板, 支): the totals are one row per item.
    counted = ("发放数量", "发放人次", "补货数量", "报损数量")
    totals = [{**totals_row([r for r in rows if r["药具"] == item["药具"]], columns, counted),
               "药具": item["药具"], "单位": item["单位"]}
              for item in supply_reports.by_item(rows)]
    notes = ["合计按药具分列（各药具计量单位不同）；发放人次：一次领取计一人次。"]
    if not rows:
        notes.insert(0, "本月没有发放、补货或报损记录。")
    return [Sheet("药具发放", columns, rows,
                  heading=_heading(scope, "supplies", start, end, today),
                  totals=totals, notes=tuple(notes))]


def _ratings(staff, *, today, scope, month, start, end) -> list[Sheet]:
    names = {v.id: v.name for v in db.session.scalars(select(Village))}
    rows = []
    for summary in ratings.monthly_summary(staff, month):
        row = {"服务事项": summary["service_label"],
               "村/社区": names.get(summary["village_id"], NO_VILLAGE), "评价数": summary["total"],
               **{label: summary["by_score"][str(score)] for score, label in SCORE_LABELS.items()},
               "满意率(%)": summary["satisfaction_percent"]}
        rows.append(row)
    counted = ("评价数", *SCORE_LABELS.values())

    def total(part: list[dict], label: str) -> dict:
        row = totals_row(part, RATING_COLUMNS, counted, label)
        satisfied = sum(row[SCORE_LABELS[s]] for s in (3, 4, 5))
        row["满意率(%)"] = round(100 * satisfied / row["评价数"], 1) if row["评价数"] else None
        return row

    services = list(dict.fromkeys(row["服务事项"] for row in rows))
    totals = [{**total([r for r in rows if r["服务事项"] == service], "小计"), "村/社区": service}
              for service in services] if len(services) > 1 else []
    totals.append(total(rows, "合计"))
    return [Sheet("好差评", RATING_COLUMNS, rows,
                  heading=_heading(scope, "ratings", start, end, today), totals=totals,
                  notes=("满意率 = （非常满意 + 满意 + 基本满意）÷ 评价数；按评价提交时间统计。",
                         "只统计评价的数量，不含评价人信息。"))]
