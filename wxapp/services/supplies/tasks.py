"""Work for the staff who keep the self-service points: restock, faults, silent cabinets,
residents to follow up. One open task per subject, however often the cause repeats."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wxapp.errors import Conflict, NotFound
from wxapp.extensions import db
from wxapp.models import StaffUser, SupplyPoint, SupplyTask
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit

# A cabinet redeemed a code and never said whether it dispensed (supply_dispense_checks).
DISPENSE_CHECK = "dispense_check"


def open_task(kind: str, subject: str, point: SupplyPoint, detail: str, *,
              pickup_id: int | None = None) -> SupplyTask:
    existing = db.session.scalars(select(SupplyTask).filter_by(
        kind=kind, subject=subject, status="open")).first()
    if existing is not None:
        return existing
    task = SupplyTask(kind=kind, subject=subject, township_id=point.township_id,
                      village_id=point.village_id, point_id=point.id, pickup_id=pickup_id,
                      detail=detail[:300], status="open")
    # A savepoint: a worker that raced us to the same task must not undo the caller's work.
    try:
        with db.session.begin_nested():
            db.session.add(task)
    except IntegrityError:  # the partial unique index: someone opened it a moment ago
        return db.session.scalars(select(SupplyTask).filter_by(
            kind=kind, subject=subject, status="open")).one()
    return task


def visible_tasks(query, staff: StaffUser):
    query = scoped(query, staff, SupplyTask.township_id, SupplyTask.village_id)
    if staff.role != "village_worker":
        # Follow-ups of village residents are for their village worker alone.
        query = query.where((SupplyTask.kind != "follow_up") | SupplyTask.village_id.is_(None))
    return query


def tasks_for(staff: StaffUser, status: str = "open", kind: str | None = None
              ) -> list[SupplyTask]:
    query = visible_tasks(select(SupplyTask).filter_by(status=status), staff)
    if kind:
        query = query.filter_by(kind=kind)
    found = list(db.session.scalars(query.order_by(SupplyTask.id.desc()).limit(200)))
    # Follow-up tasks carry what a resident said about her health: reading them is audited.
    if any(task.kind == "follow_up" for task in found):
        record_audit(Actor("staff", str(staff.id)), "supplies.follow_up_tasks_read",
                     "supply_task", None, {"count": len(found)})
    return found


def close_task(staff: StaffUser, task_id: int) -> SupplyTask:
    query = visible_tasks(select(SupplyTask).filter_by(id=task_id), staff)
    task = db.session.scalars(query).first()
    if task is None:
        raise NotFound("supplies.task_not_found", "没有找到这个任务。")
    if task.status != "open":
        raise Conflict("supplies.task_closed", "这个任务已经处理过了。")
    if task.kind == DISPENSE_CHECK:
        # Closing it without the answer would leave the stock held for ever.
        raise Conflict("supplies.task_needs_answer", "请先到机柜清点，确认这次是否出货。")
    # Two staff closing the same task at once: one conditional UPDATE, so only the first is
    # recorded and audited.
    closed = db.session.execute(
        update(SupplyTask).where(SupplyTask.id == task.id, SupplyTask.status == "open")
        .values(status="done", closed_by=staff.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(task)
    if closed != 1:
        raise Conflict("supplies.task_closed", "这个任务已经处理过了。")
    record_audit(Actor("staff", str(staff.id)), "supplies.task_done", "supply_task", task.id)
    db.session.flush()
    return task


def point_keepers(point: SupplyPoint) -> list[StaffUser]:
    """Who hears at once when a point needs someone: its village worker and the office."""
    return list(db.session.scalars(select(StaffUser).where(
        StaffUser.active.is_(True), StaffUser.township_id == point.township_id,
        (StaffUser.role == "township_admin")
        | ((StaffUser.role == "village_worker") & (StaffUser.village_id == point.village_id))
    )))
