"""药具待办: cabinets that residents cannot use now, and the supply tasks in scope (restock,
faults and residents' reports, silent cabinets, near-expiry batches, follow-ups, pickups a
cabinet never confirmed), with what the task service lets staff do about each.

Closing a task twice, or answering a dispense check twice, does nothing the second time
and says so: the services refuse a task that is no longer open."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_error, flash_info, flash_success
from wxapp.console.supplies import bp
from wxapp.errors import DomainError
from wxapp.services.supplies import dispense_checks, ledger
from wxapp.services.supplies import staff_queries as views
from wxapp.services.supplies import tasks as supply_tasks
from wxapp.transactions import rollback

VIEWERS = ledger.LEDGER_STAFF
KIND_LABELS = {"offline": "机柜离线", "point_report": "故障/居民报告", "restock": "补货",
               "near_expiry": "近效期", "follow_up": "随访",
               supply_tasks.DISPENSE_CHECK: "出货待确认"}
STATUS_LABELS = {"open": "待处理", "done": "已处理"}
ALREADY_CLOSED = "这个任务已经处理过了，本次没有重复处理。"


def _kind_filter() -> tuple[str | None, str | None]:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KIND_LABELS:
        return None, "没有这类待办，已显示全部。"
    return kind, None


@bp.get("/tasks")
@console_required(*VIEWERS)
def tasks():
    status = request.args.get("status", "open")
    problem = None
    if status not in STATUS_LABELS:
        status, problem = "open", "“状态”的值不正确，已显示待处理的任务。"
    kind, kind_problem = _kind_filter()
    found = supply_tasks.tasks_for(g.staff, status, kind)
    names = dict.fromkeys((t.point_id for t in found if t.point_id), "")
    for point in views.points_for(g.staff):
        if point.id in names:
            names[point.id] = point.name
    return render_template(
        "console/supplies/tasks.html", tasks=found, status=status, kind=kind,
        problems=[p for p in (problem, kind_problem) if p], point_names=names,
        kind_labels=KIND_LABELS, status_labels=STATUS_LABELS,
        offline=views.offline_cabinets(g.staff) if status == "open" else [],
        dispense_check=supply_tasks.DISPENSE_CHECK)


def _back():
    target = request.form.get("back") or ""
    return redirect(target if target.startswith("/console/supplies/tasks")
                    else url_for(".tasks"), 303)


def _act(act, done: str):
    try:
        act()
    except DomainError as err:
        rollback()
        if err.code == "supplies.task_closed":
            flash_info(ALREADY_CLOSED)
        elif err.status == 404:
            abort(404)
        else:
            flash_error(err.message)
        return _back()
    flash_success(done)
    return _back()


@bp.post("/tasks/<int:task_id>/done")
@console_required(*VIEWERS)
def task_done(task_id):
    return _act(lambda: supply_tasks.close_task(g.staff, task_id), "任务已标记为处理完毕。")


@bp.post("/tasks/<int:task_id>/dispense-check")
@console_required(*ledger.LEDGER_STAFF)
def dispense_check(task_id):
    answer = request.form.get("dispensed")
    if answer not in ("yes", "no"):
        flash_error("请选择“已出货”或“未出货”。")
        return _back()
    dispensed = answer == "yes"
    return _act(lambda: dispense_checks.answer(g.staff, task_id, dispensed),
                "已确认出货，已记入发放台账。" if dispensed
                else "已确认未出货，预留的药具已退回库存，居民的领取名额已退回。")
