"""The clinic day (孕检门诊), follow-up outcomes (随访) and the clinic's schedule and closures
(排班与停诊), for clinic staff (their own clinics) and the township office (every clinic of the
township).

Pages translate forms into calls of the screening services the staff API uses
(``bookings``, ``results``, ``schedules``, ``closures``), so scope, audit, notices and the
one-transition-per-change rule are theirs. Every change is a POST answered with a redirect
and a message; a refused change rolls back whatever the request wrote before the redirect.
A change sent twice (a double click, a scanner's second read, the back button) is done once
and the second answer says so."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from flask import abort, g, redirect, render_template, request, url_for

from wxapp.china_time import CHINA, china_today, to_china
from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_error, flash_info, flash_success
from wxapp.errors import DomainError, ValidationFailed
from wxapp.services.screening import bookings, closures, results, schedules
from wxapp.transactions import rollback
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import download

bp = Blueprint("console_clinic", __name__, url_prefix="/console/clinic")

ROLES = ("township_admin", "clinic")
STATUS_LABELS = {"scheduled": "已预约", "checked_in": "已签到", "completed": "已录结果",
                 "missed": "未到检"}
# Follow-ups shown on the day page: overdue ones and those due within this many days.
FOLLOW_UP_HORIZON_DAYS = 14
SCHEDULE_BLANK_ROWS = 3
MAX_SCHEDULE_ROWS = 50
# Six digits typed, or what a scanner types from the resident's QR code.
CODE_FORM = re.compile(r"(WXAPP-CHECKIN:)?\d{6}")
MAX_ID = 2_147_483_647
WEEKDAY_VALUES = {str(n) for n in range(7)}


# -- which clinic --------------------------------------------------------------------------
def _clinic_id_arg(raw) -> int | None:
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        return int(raw)
    return None


def _chosen_clinic(raw):
    """The clinic asked for (404 outside the staff member's scope), or her first one; None
    when she has none (a clinic account the office has not assigned yet)."""
    clinics = schedules.clinics_for(g.staff)
    if raw:
        wanted = _clinic_id_arg(raw)
        if wanted is None:
            abort(404)
        return bookings.clinic_for_staff(g.staff, wanted), clinics
    return (clinics[0] if clinics else None), clinics


def _back_to_day(clinic_id: int | None, anchor: str = ""):
    return redirect(url_for(".today", clinic=clinic_id) + anchor)


# -- the day -------------------------------------------------------------------------------
@bp.get("")
@console_required(*ROLES)
def today():
    clinic, clinics = _chosen_clinic(request.args.get("clinic"))
    day = china_today()
    context = {"clinic": clinic, "clinics": clinics, "day": day, "rows": [],
               "follow_ups": [], "status_labels": STATUS_LABELS, "counts": {},
               "follow_up_kinds": results.FOLLOW_UP_KIND_TEXT,
               "horizon": FOLLOW_UP_HORIZON_DAYS}
    if clinic is not None:
        start = datetime.combine(day, time.min, tzinfo=CHINA)
        found = bookings.clinic_day(g.staff, clinic.id, start, start + timedelta(days=1),
                                    bookings.DAY_STATUSES_WITH_OUTCOMES)
        rows = bookings.staff_day_view(g.staff, found)
        now = datetime.now(CHINA)
        for row in rows:
            row["over"] = to_china(row["ends_at"]) <= now
        context["rows"] = rows
        context["counts"] = {status: sum(1 for r in rows if r["status"] == status)
                             for status in STATUS_LABELS}
        context["follow_ups"] = _follow_ups_due(clinic.id, day)
    return render_template("console/clinic/today.html", **context)


def _follow_ups_due(clinic_id: int, day: date) -> list[dict]:
    due = results.follow_ups_for(g.staff, "open", clinic_id=clinic_id,
                                 due_by=day + timedelta(days=FOLLOW_UP_HORIZON_DAYS))
    by_booking = {row["id"]: row for row in bookings.staff_rows([f.booking for f in due])}
    return [{"follow_up": f, "booking": by_booking[f.booking_id], "overdue": f.due_on < day}
            for f in due]


def _typed_code() -> str:
    # A Chinese input method may type full-width digits (１２３４５６); a scanner types ASCII.
    return unicodedata.normalize("NFKC", request.form.get("code") or "").strip()[:40]


@bp.post("/check-in")
@console_required(*ROLES)
def check_in():
    clinic_id = _clinic_id_arg(request.form.get("clinic"))
    if clinic_id is None:
        abort(404)
    clinic = bookings.clinic_for_staff(g.staff, clinic_id)
    code = _typed_code()
    if not CODE_FORM.fullmatch(code):
        flash_error("请输入6位数字签到码，或扫描居民出示的签到二维码。")
        return _back_to_day(clinic.id)
    try:
        booking = bookings.check_in(g.staff, clinic.id, code)
    except DomainError as err:
        rollback()
        if err.code == "booking.already_checked_in":
            flash_info(err.message)
        else:
            flash_error(err.message)
        return _back_to_day(clinic.id)
    row = bookings.staff_rows([booking])[0]
    flash_success(f"签到成功：{row['wife_name'] or ''}、{row['husband_name'] or ''}"
                  f"（{to_china(row['starts_at']):%H:%M} 的预约）。")
    return _back_to_day(clinic.id)


@bp.post("/bookings/<int:booking_id>/missed")
@console_required(*ROLES)
def missed(booking_id):
    booking = results.booking_for_staff(g.staff, booking_id)
    clinic_id = booking.slot.clinic_id
    try:
        bookings.mark_missed(g.staff, clinic_id, booking_id)
    except DomainError as err:
        rollback()
        if err.status == 404:
            abort(404)
        booking = results.booking_for_staff(g.staff, booking_id)
        if booking.status == "missed":
            flash_info("这个预约已经标记为未到检，本次没有重复操作。")
        else:
            flash_error(err.message)
        return _back_to_day(clinic_id)
    flash_success("已标记为未到检。")
    return _back_to_day(clinic_id)


# -- results -------------------------------------------------------------------------------
def _results_page(booking, typed: dict, problems: dict | None = None,
                  message: str | None = None, status: int = 200):
    return render_template(
        "console/clinic/results.html", booking=booking,
        row=bookings.staff_booking_view(g.staff, booking), typed=typed,
        problems=problems or {}, message=message, status_labels=STATUS_LABELS,
        categories=results.RISK_CATEGORY_TEXT, factors=results.RISK_FACTORS,
        follow_up_kinds=results.FOLLOW_UP_KIND_TEXT, due_days=results.FOLLOW_UP_DUE_DAYS,
        advice_max=results.ADVICE_MAX_CHARS, notes_max=results.NOTES_MAX_CHARS), status


@bp.get("/bookings/<int:booking_id>/results")
@console_required(*ROLES)
def results_form(booking_id):
    booking = results.booking_for_staff(g.staff, booking_id)
    typed = {"risk_category": "", "risk_factors": [], "advice": "", "notes": ""}
    if booking.status == "completed":
        recorded = results.result_for_staff(g.staff, booking.id)  # audited: health data
        typed = {"risk_category": recorded.risk_category,
                 "risk_factors": list(recorded.risk_factors), "advice": recorded.advice,
                 "notes": recorded.notes or ""}
    elif booking.status != "checked_in":
        flash_error("签到后才能录入检查结果。")
        return _back_to_day(booking.slot.clinic_id)
    return _results_page(booking, typed)


@bp.post("/bookings/<int:booking_id>/results")
@console_required(*ROLES)
def save_results(booking_id):
    booking = results.booking_for_staff(g.staff, booking_id)
    clinic_id = booking.slot.clinic_id
    correcting = booking.status == "completed"
    typed = {"risk_category": (request.form.get("risk_category") or "")[:16],
             "risk_factors": request.form.getlist("risk_factors")[:len(results.RISK_FACTORS)],
             "advice": (request.form.get("advice") or "")[:results.ADVICE_MAX_CHARS + 500],
             "notes": (request.form.get("notes") or "")[:results.NOTES_MAX_CHARS + 500]}
    try:
        results.record_results(g.staff, booking.id, typed["risk_category"],
                               typed["risk_factors"], typed["advice"], typed["notes"])
    except ValidationFailed as err:
        rollback()
        return _results_page(booking, typed, err.details, err.message, 422)
    except DomainError as err:
        rollback()
        flash_error(err.message)
        return _back_to_day(clinic_id)
    if correcting:
        flash_success("检查结果已更正（居民已在结果首次录入时收到通知，不会重复通知）。")
    else:
        flash_success("检查结果已保存，已通知居民查看；随访已按时间列入待办。")
    return _back_to_day(clinic_id)


@bp.get("/bookings/<int:booking_id>/letter.pdf")
@console_required(*ROLES)
def letter(booking_id):
    pdf = results.assessment_letter_pdf(results.result_for_staff(g.staff, booking_id))
    response = download(pdf, "application/pdf", f"assessment-{booking_id}.pdf")
    response.headers["Content-Disposition"] = f'inline; filename="assessment-{booking_id}.pdf"'
    return response


# -- follow-ups ----------------------------------------------------------------------------
FOLLOW_UPS_ANCHOR = "#follow-ups"


def _follow_up_page(follow_up, typed: dict, problems: dict | None = None,
                    message: str | None = None, status: int = 200):
    return render_template(
        "console/clinic/follow_up.html", item=results.staff_follow_up_view(g.staff, follow_up),
        row=bookings.staff_booking_view(g.staff, follow_up.booking), typed=typed,
        problems=problems or {}, message=message, today=china_today(),
        clinic_id=follow_up.booking.slot.clinic_id, notes_max=results.NOTES_MAX_CHARS), status


@bp.get("/follow-ups/<int:follow_up_id>")
@console_required(*ROLES)
def follow_up_form(follow_up_id):
    follow_up = results.follow_up_for_staff(g.staff, follow_up_id)
    return _follow_up_page(follow_up, {"outcome": "", "notes": ""})


@bp.post("/follow-ups/<int:follow_up_id>")
@console_required(*ROLES)
def record_follow_up(follow_up_id):
    follow_up = results.follow_up_for_staff(g.staff, follow_up_id)
    clinic_id = follow_up.booking.slot.clinic_id
    typed = {"outcome": (request.form.get("outcome") or "")[:24],
             "notes": (request.form.get("notes") or "")[:results.NOTES_MAX_CHARS + 500]}
    try:
        recorded = results.record_follow_up(g.staff, follow_up.id, typed["outcome"],
                                            typed["notes"])
    except ValidationFailed as err:
        rollback()
        return _follow_up_page(results.follow_up_for_staff(g.staff, follow_up_id), typed,
                               err.details, err.message, 422)
    except DomainError as err:
        rollback()
        flash_error(err.message)
        return _back_to_day(clinic_id, FOLLOW_UPS_ANCHOR)
    done = recorded.follow_up
    outcome = results.FOLLOW_UP_OUTCOMES[done.kind][done.outcome]
    if recorded.first_time:
        flash_success(f"随访已记录：{results.FOLLOW_UP_KIND_TEXT[done.kind]}，{outcome}。")
    else:
        flash_info(f"这条随访已经记录为“{outcome}”，本次没有重复记录。")
    return _back_to_day(clinic_id, FOLLOW_UPS_ANCHOR)


# -- the weekly schedule -------------------------------------------------------------------
def _schedule_rows(windows) -> list[dict]:
    return [{"weekday": str(w.weekday), "starts": w.starts.strftime("%H:%M"),
             "ends": w.ends.strftime("%H:%M"), "capacity": str(w.capacity)} for w in windows]


def _schedule_page(clinic, clinics, *, rows=None, row_problems=None, schedule_message=None,
                   closure=None, closure_problems=None, closure_message=None, status=200):
    rows = rows if rows is not None else _schedule_rows(schedules.schedule_of(clinic)
                                                        if clinic else [])
    blank = {"weekday": "", "starts": "", "ends": "", "capacity": ""}
    return render_template(
        "console/clinic/schedule.html", clinic=clinic, clinics=clinics,
        rows=rows + [dict(blank) for _ in range(SCHEDULE_BLANK_ROWS)],
        row_problems=row_problems or {}, schedule_message=schedule_message,
        weekdays=schedules.WEEKDAY_NAMES, capacity_max=schedules.CAPACITY_MAX,
        closure=closure or {"first_day": "", "last_day": "", "reason": ""},
        closure_problems=closure_problems or {}, closure_message=closure_message,
        closures_ahead=closures.closures_ahead(clinic) if clinic else [],
        today=china_today(), reason_max=closures.REASON_MAX_CHARS), status


@bp.get("/schedule")
@console_required(*ROLES)
def schedule():
    clinic, clinics = _chosen_clinic(request.args.get("clinic"))
    # "返回修改" on the preview comes back with what was typed.
    return _schedule_page(clinic, clinics, closure=_typed_closure(request.args))


def _clinic_from_form():
    clinic_id = _clinic_id_arg(request.form.get("clinic") or request.args.get("clinic"))
    if clinic_id is None:
        abort(404)
    return bookings.clinic_for_staff(g.staff, clinic_id)


def _typed_rows() -> list[dict]:
    rows = []
    for n in range(MAX_SCHEDULE_ROWS + SCHEDULE_BLANK_ROWS):
        row = {key: (request.form.get(f"row-{n}-{key}") or "").strip()[:8]
               for key in ("weekday", "starts", "ends", "capacity")}
        if request.form.get(f"row-{n}-remove") != "yes" and any(row.values()):
            rows.append(row)
    return rows


def _parse_time(raw: str) -> time | None:
    try:
        return datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        return None


def _windows_from(rows: list[dict]) -> tuple[list, dict]:
    """The typed rows as windows, and what is wrong with each row that cannot be one."""
    windows, problems = [], {}
    for n, row in enumerate(rows):
        weekday = int(row["weekday"]) if row["weekday"] in WEEKDAY_VALUES else None
        starts, ends = _parse_time(row["starts"]), _parse_time(row["ends"])
        capacity = int(row["capacity"]) if row["capacity"].isascii() and \
            row["capacity"].isdigit() else None
        if weekday is None:
            problems[n] = "请选择星期几。"
        elif starts is None or ends is None:
            problems[n] = "请填写开始和结束时间，例如 08:00。"
        elif capacity is None:
            problems[n] = f"可约人数应为1到{schedules.CAPACITY_MAX}之间的整数。"
        else:
            windows.append((n, schedules.Window(weekday, starts, ends, capacity)))
    return windows, problems


@bp.post("/schedule")
@console_required(*ROLES)
def save_schedule():
    clinic = _clinic_from_form()
    clinics = schedules.clinics_for(g.staff)
    rows = _typed_rows()
    if len(rows) > MAX_SCHEDULE_ROWS:
        return _schedule_page(clinic, clinics, rows=rows[:MAX_SCHEDULE_ROWS], status=422,
                              schedule_message=f"每周最多设置{MAX_SCHEDULE_ROWS}个时段。")
    windows, problems = _windows_from(rows)
    if not problems:
        try:
            schedules.set_schedule(g.staff, clinic, [w for _, w in windows])
        except ValidationFailed as err:
            rollback()
            for key, text in err.details.items():
                problems[windows[int(key.split(".")[1])][0]] = text
    if problems:
        return _schedule_page(clinic, clinics, rows=rows, row_problems=problems, status=422,
                              schedule_message="排班填写有误，请按提示修改，尚未保存。")
    flash_success(f"每周排班已保存（{len(windows)} 个时段）。已开放预约的日期不变，"
                  "新的排班从之后生成的号源开始生效。")
    return redirect(url_for(".schedule", clinic=clinic.id))


# -- closures ------------------------------------------------------------------------------
def _typed_closure(source) -> dict:
    return {"first_day": (source.get("first_day") or "").strip()[:10],
            "last_day": (source.get("last_day") or "").strip()[:10],
            "reason": (source.get("reason") or "").strip()[:closures.REASON_MAX_CHARS + 100]}


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _checked_closure(clinic, clinics, typed: dict):
    """The range and reason, or a page with the problems next to the fields."""
    first, last = _day(typed["first_day"]), _day(typed["last_day"])
    try:
        closures.check_range(first, last, typed["reason"])
    except ValidationFailed as err:
        problems = dict(err.details)
        if typed["first_day"] and first is None:
            problems["first_day"] = "日期格式不正确，请按 年-月-日 填写。"
        if typed["last_day"] and last is None:
            problems["last_day"] = "日期格式不正确，请按 年-月-日 填写。"
        return None, _schedule_page(clinic, clinics, closure=typed, closure_problems=problems,
                                    closure_message=err.message, status=422)
    return (first, last), None


@bp.get("/closures/preview")
@console_required(*ROLES)
def closure_preview():
    clinic = _clinic_from_form()
    clinics = schedules.clinics_for(g.staff)
    typed = _typed_closure(request.args)
    checked, page = _checked_closure(clinic, clinics, typed)
    if page is not None:
        return page
    plan = closures.plan(clinic, *checked, typed["reason"])
    return render_template("console/clinic/closure_preview.html", clinic=clinic, plan=plan,
                           typed=typed, weekdays=schedules.WEEKDAY_NAMES)


@bp.post("/closures")
@console_required(*ROLES)
def close_days():
    clinic = _clinic_from_form()
    clinics = schedules.clinics_for(g.staff)
    typed = _typed_closure(request.form)
    checked, page = _checked_closure(clinic, clinics, typed)
    if page is not None:
        return page
    try:
        done = closures.close_range(g.staff, clinic, *checked, typed["reason"])
    except DomainError as err:
        rollback()
        flash_error(err.message)
        return redirect(url_for(".schedule", clinic=clinic.id))
    if not done.days_closed:
        flash_info("这些日期已经设置为停诊，本次没有重复操作，也没有再次通知居民。")
    else:
        skipped = (f"；其中 {len(done.days_already_closed)} 天此前已停诊，未重复处理"
                   if done.days_already_closed else "")
        flash_success(f"已设置停诊 {len(done.days_closed)} 天，取消预约 "
                      f"{done.bookings_cancelled} 个，已通知相关夫妇{skipped}。")
    return redirect(url_for(".schedule", clinic=clinic.id))


@bp.app_template_filter("clinic_time")
def clinic_time(moment) -> str:
    """A stored moment as the clinic's wall clock: 09:30."""
    return to_china(moment).strftime("%H:%M") if moment else ""

