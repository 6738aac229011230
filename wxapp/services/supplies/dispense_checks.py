"""Redeemed codes whose cabinet never said whether anything came out.

A cabinet redeems a code, then reports the dispense. If it crashes or loses its network in
between, the pickup stays `redeemed` and its stock stays held, neither on the shelf nor in
the ledger as given out. After `device_dispense_report_minutes` the frequent job opens a task
for the point's staff; they count the item at the cabinet and answer: it came out (the ledger
records the dispense) or it did not (the hold goes back to the shelf, and the resident hears
that she may ask for a new code). A cabinet reporting
late still settles the pickup first; staff answering after that only close the task.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from wxapp import config
from wxapp.errors import Conflict, NotFound
from wxapp.extensions import db
from wxapp.models import Pickup, StaffUser, SupplyPoint, SupplyTask
from wxapp.models.base import utcnow
from wxapp.services import staff_notices
from wxapp.services.audit import Actor, record_audit
from wxapp.services.resident_notices import BySms, BySubscribe, tell
from wxapp.services.supplies.cabinets import settle_redeemed
from wxapp.services.supplies.tasks import (
    DISPENSE_CHECK,
    open_task,
    point_keepers,
    visible_tasks,
)


def flag_unreported(now: datetime | None = None) -> int:
    """Open a task for every pickup redeemed too long ago without a report; returns how
    many were opened now."""
    minutes = config.settings().device_dispense_report_minutes
    limit = (now or utcnow()) - timedelta(minutes=minutes)
    waiting = db.session.execute(
        select(Pickup.id, Pickup.point_id)
        .where(Pickup.status == "redeemed", Pickup.redeemed_at < limit)
        .where(~select(SupplyTask.id).where(
            SupplyTask.kind == DISPENSE_CHECK, SupplyTask.pickup_id == Pickup.id,
            SupplyTask.status == "open").exists())
        .order_by(Pickup.id).limit(500)).all()
    for pickup_id, point_id in waiting:
        point = db.session.get(SupplyPoint, point_id)
        open_task(DISPENSE_CHECK, f"pickup:{pickup_id}", point,
                  f"{point.name}取出第{pickup_id}号领取后超过{minutes}分钟没有回报是否出货，"
                  "请到机柜清点后确认。", pickup_id=pickup_id)
        # Soon: until they answer, the resident may have left empty-handed with her quota
        # spent. One notice per point and day, however many pickups wait there.
        staff_notices.notify(point_keepers(point), f"dispense_check:{point.id}",
                             f"{point.name}有取货未回报是否出货，请到机柜清点，并在任务中确认。")
    db.session.flush()
    return len(waiting)


def _tell_resident_quota_is_back(pickup_id: int) -> None:
    """She left the cabinet empty-handed, maybe hours ago: her code counted against her quota
    until now. Tell her (if she allowed the message) that she can ask for a new one, in words
    that say nothing of what she came for. An ID-card pickup has nobody to write to."""
    resident_id = db.session.scalar(select(Pickup.resident_id).filter_by(id=pickup_id))
    if resident_id is None:
        return
    tell(resident_id, "pickup_not_dispensed", dedupe_key=f"pickup:{pickup_id}:not_dispensed",
         subject=f"pickup:{pickup_id}", title="自助领取未完成",
         text="名额已退回，可重新申请领取码。", link="pages/supplies/index",
         subscribe=BySubscribe(
             config.settings().pickup_follow_up_template_id,
             {"thing1": "自助领取未完成", "thing2": "名额已退回，可重新申请领取码"},
             "pages/supplies/index"),
         sms=BySms("service_update", ["自助服务", "名额已退回"]))


def answer(staff: StaffUser, task_id: int, dispensed: bool) -> dict:
    task = db.session.scalars(visible_tasks(
        select(SupplyTask).filter_by(id=task_id, kind=DISPENSE_CHECK), staff)).first()
    if task is None:
        raise NotFound("supplies.task_not_found", "没有找到这个任务。")
    # Claimed like the pickup itself: of two staff answering at once, one answer counts.
    claimed = db.session.execute(
        update(SupplyTask).where(SupplyTask.id == task.id, SupplyTask.status == "open")
        .values(status="done", closed_by=staff.id)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Conflict("supplies.task_closed", "这个任务已经处理过了。")
    settled_now = settle_redeemed(task.point_id, task.pickup_id, dispensed)
    if settled_now and not dispensed:
        _tell_resident_quota_is_back(task.pickup_id)
    record_audit(Actor("staff", str(staff.id)), "supplies.dispense_checked", "pickup",
                 task.pickup_id, {"dispensed": dispensed, "settled_by_staff": settled_now})
    db.session.flush()
    return {"task_id": task.id, "pickup_id": task.pickup_id,
            "pickup_status": db.session.scalar(select(Pickup.status)
                                               .filter_by(id=task.pickup_id)),
            "settled_by": "staff" if settled_now else "cabinet"}
