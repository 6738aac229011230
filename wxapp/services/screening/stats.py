"""The programme's figures for a year: checks done against the township's target, by village
and month, and its own indicators. Aggregates only: no couple appears in them.

- target-group coverage (目标人群覆盖率): couples checked / the year's target; a village
  worker's figures are her village's, so her target is her village's share of the
  township's (``village_targets``), and without a share there is no coverage to give
- early-pregnancy and pregnancy-outcome follow-up rates (早孕随访率, 妊娠结局随访率):
  follow-ups done / follow-ups due by today, for the year's checks
- no-show rate: missed / (checked in or completed + missed), for the year's slots
- high-risk share: high-risk results / results
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from wxapp.china_time import CHINA
from wxapp.errors import ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    ScreeningBooking,
    ScreeningFollowUp,
    ScreeningResult,
    ScreeningSlot,
    ScreeningTarget,
    ScreeningVillageTarget,
    StaffUser,
    Village,
)
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit

COLUMNS = ["村/社区", "月份", "完成检查(对)", "高风险(对)", "未到检(对)", "早孕随访完成",
           "妊娠结局随访完成"]
PROGRESS_COLUMNS = ["月份", "当月完成(对)", "累计完成(对)", "年度目标(对)"]
INDICATOR_COLUMNS = ["指标", "数值(%)"]
INDICATOR_NAMES = {
    "target_group_coverage": "目标人群覆盖率", "early_pregnancy_follow_up_rate": "早孕随访率",
    "pregnancy_outcome_follow_up_rate": "妊娠结局随访率", "referral_rate": "高风险转诊完成率",
    "no_show_rate": "预约未到检率", "high_risk_share": "高风险人群占比",
}


TARGET_YEARS = (2000, 2100)
TARGET_MAX = 1_000_000


def set_target(staff: StaffUser, year: int, target: int) -> ScreeningTarget:
    problems = {}
    if isinstance(year, bool) or not isinstance(year, int) \
            or not TARGET_YEARS[0] <= year <= TARGET_YEARS[1]:
        problems["year"] = f"年份请填写{TARGET_YEARS[0]}到{TARGET_YEARS[1]}之间的年份。"
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= TARGET_MAX:
        problems["target"] = f"年度目标请填写0到{TARGET_MAX}之间的整数（对）。"
    if problems:
        raise ValidationFailed("screening.invalid_target", next(iter(problems.values())),
                               details=problems)
    # Locked as set_village_targets locks it: lowering the target while a share is raised
    # must not leave the villages' shares above the township's target.
    row = db.session.scalars(select(ScreeningTarget).filter_by(
        township_id=staff.township_id, year=year).with_for_update()).first()
    if row is not None and row.target == target:
        return row  # sent twice: nothing changed, nothing to record
    shared = db.session.scalar(
        select(func.coalesce(func.sum(ScreeningVillageTarget.target), 0))
        .join(Village, Village.id == ScreeningVillageTarget.village_id)
        .where(Village.township_id == staff.township_id, ScreeningVillageTarget.year == year))
    if target < shared:
        message = (f"各村已分解{year}年目标合计{shared}对，全镇目标不能少于此数；"
                   f"请先在“年度目标分解到村”中减少各村任务。")
        raise ValidationFailed("screening.target_below_village_shares", message,
                               details={"target": message})
    old = None if row is None else row.target
    if row is None:
        row = ScreeningTarget(township_id=staff.township_id, year=year)
        db.session.add(row)
    row.target = target
    record_audit(Actor("staff", str(staff.id)), "screening.target", "township",
                 staff.township_id, {"year": year, "target": target, "old": old})
    db.session.flush()
    return row


def township_target(township_id: int, year: int) -> int | None:
    """The township's target for ``year`` as set by the office, or None while unset."""
    return db.session.scalar(select(ScreeningTarget.target).filter_by(
        township_id=township_id, year=year))


def village_target(village_id: int, year: int) -> int | None:
    """The village's share of the year's target, or None while it has none (未分解到村)."""
    return db.session.scalar(select(ScreeningVillageTarget.target).filter_by(
        village_id=village_id, year=year))


def target_in_scope(staff: StaffUser, year: int) -> tuple[int | None, str]:
    """The target the staff member's figures are measured against, and whose it is
    (``township`` or ``village``)."""
    if staff.role == "village_worker":
        return village_target(staff.village_id, year), "village"
    return township_target(staff.township_id, year), "township"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def year_figures(staff: StaffUser, year: int, today: date | None = None) -> dict:
    """The year's figures as filed upwards (an export): its reading is audited."""
    figures = programme_figures(staff, year, today)
    record_audit(Actor("staff", str(staff.id)), "screening.statistics", "township",
                 staff.township_id, {"year": year})
    return figures


def programme_figures(staff: StaffUser, year: int, today: date | None = None,
                       until: datetime | None = None) -> dict:
    """The year's figures within the staff member's scope; also read by the dashboard.
    ``until`` ends the year early (a monthly report counts up to its month's end)."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed("report.year", "年份不正确。")
    today = today or datetime.now(CHINA).date()
    start = datetime(year, 1, 1, tzinfo=CHINA)
    end = datetime(year + 1, 1, 1, tzinfo=CHINA)
    if until is not None:
        end = min(end, until)
    villages = {v.id: v.name for v in db.session.scalars(select(Village))}

    def base(query):
        return scoped(query.join(ScreeningSlot, ScreeningSlot.id == ScreeningBooking.slot_id)
                      .join(Clinic), staff, Clinic.township_id, ScreeningBooking.village_id)

    table: dict[tuple, Counter] = defaultdict(Counter)
    results = db.session.execute(base(
        select(ScreeningBooking.village_id, ScreeningResult.recorded_at,
               ScreeningResult.risk_category).select_from(ScreeningBooking)
        .join(ScreeningResult, ScreeningResult.booking_id == ScreeningBooking.id)).where(
        ScreeningResult.recorded_at >= start, ScreeningResult.recorded_at < end)).all()
    for village_id, recorded_at, category in results:
        key = (villages.get(village_id, "—"), recorded_at.astimezone(CHINA).month)
        table[key]["完成检查(对)"] += 1
        table[key]["高风险(对)"] += category == "high_risk"

    attendance = db.session.execute(base(
        select(ScreeningBooking.village_id, ScreeningSlot.starts_at, ScreeningBooking.status)
        .select_from(ScreeningBooking)).where(
        ScreeningSlot.starts_at >= start, ScreeningSlot.starts_at < end,
        ScreeningBooking.status.in_(("checked_in", "completed", "missed")))).all()
    attended = missed = 0
    for village_id, starts_at, status in attendance:
        if status == "missed":
            missed += 1
            table[(villages.get(village_id, "—"), starts_at.astimezone(CHINA).month)][
                "未到检(对)"] += 1
        else:
            attended += 1

    follow_ups = db.session.execute(base(
        select(ScreeningBooking.village_id, ScreeningFollowUp.kind, ScreeningFollowUp.status,
               ScreeningFollowUp.due_on, ScreeningFollowUp.done_at).select_from(ScreeningBooking)
        .join(ScreeningFollowUp, ScreeningFollowUp.booking_id == ScreeningBooking.id)
        .join(ScreeningResult, ScreeningResult.booking_id == ScreeningBooking.id)).where(
        ScreeningResult.recorded_at >= start, ScreeningResult.recorded_at < end)).all()
    due, done = Counter(), Counter()
    for village_id, kind, status, due_on, done_at in follow_ups:
        # A follow-up done after ``until`` was still to do at the time reported on.
        finished = status == "done" and (until is None or done_at < end)
        if finished:
            done[kind] += 1
            column = "早孕随访完成" if kind == "early_pregnancy" else \
                "妊娠结局随访完成" if kind == "pregnancy_outcome" else None
            if column:
                table[(villages.get(village_id, "—"), done_at.astimezone(CHINA).month)][
                    column] += 1
        if finished or due_on <= today:
            due[kind] += 1

    checks = sum(c["完成检查(对)"] for c in table.values())
    high_risk = sum(c["高风险(对)"] for c in table.values())
    target, target_of = target_in_scope(staff, year)
    rows = [{"村/社区": village, "月份": f"{year}-{month:02d}",
             **{c: counts.get(c, 0) for c in COLUMNS[2:]}}
            for (village, month), counts in sorted(table.items())]
    return {
        "year": year, "target": target, "target_of": target_of, "checks_done": checks,
        "by_month": [{"month": f"{year}-{m:02d}", "checks": sum(
            c["完成检查(对)"] for (v, mm), c in table.items() if mm == m)} for m in range(1, 13)],
        "rows": rows,
        "indicators": {
            "target_group_coverage": _rate(checks, target or 0),
            "early_pregnancy_follow_up_rate": _rate(done["early_pregnancy"],
                                                    due["early_pregnancy"]),
            "pregnancy_outcome_follow_up_rate": _rate(done["pregnancy_outcome"],
                                                      due["pregnancy_outcome"]),
            "referral_rate": _rate(done["referral"], due["referral"]),
            "no_show_rate": _rate(missed, attended + missed),
            "high_risk_share": _rate(high_risk, checks),
        },
    }


def progress_rows(figures: dict, today: date | None = None) -> list[dict]:
    """Month by month: checks done, the running total, and the year's target beside it.
    Months still to come are left empty rather than drawn flat."""
    today = today or datetime.now(CHINA).date()
    running = 0
    rows = []
    for month in figures["by_month"]:
        running += month["checks"]
        to_come = month["month"] > f"{today.year}-{today.month:02d}"
        rows.append({"月份": month["month"],
                     "当月完成(对)": None if to_come else month["checks"],
                     "累计完成(对)": None if to_come else running,
                     "年度目标(对)": figures["target"]})
    return rows


def indicator_rows(figures: dict) -> list[dict]:
    return [{"指标": INDICATOR_NAMES[key],
             "数值(%)": None if value is None else round(100 * value, 1)}
            for key, value in figures["indicators"].items()]
