"""The stock ledger of free contraceptives (账、卡、物相符).

Every change of stock is one or more `StockMovement` rows (one per batch), written in the same
transaction as the per-batch level and the per-item counter it changes. Counters only move by
conditional UPDATEs, so two staff (or a staff member and a cabinet) acting at once can never
drive stock below zero or below what pickups are holding; the check constraints are the last
line of defence. Stock leaves a point nearest-expiry-first (近效期先出).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update

from wxapp import config
from wxapp.china_time import china_today
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    PointItem,
    StaffUser,
    StockBatch,
    StockLevel,
    StockMovement,
    SupplyItem,
    SupplyPoint,
)
from wxapp.services import staff_notices
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.supplies.tasks import open_task, point_keepers

LEDGER_STAFF = ("township_admin", "village_worker")
INSUFFICIENT_STOCK = "库存不足（或已被居民领取码预留），请核对数量。"


@dataclass(frozen=True)
class Taken:
    batch_id: int
    quantity: int


# -- looking things up -------------------------------------------------------------------------
def point_for_staff(staff: StaffUser, point_id: int) -> SupplyPoint:
    point = db.session.scalars(scoped(select(SupplyPoint).filter_by(id=point_id), staff,
                                      SupplyPoint.township_id, SupplyPoint.village_id)).first()
    if point is None:
        raise NotFound("supplies.point_not_found", "没有找到这个发放点。")
    return point


def township_store(staff: StaffUser) -> SupplyPoint:
    store = db.session.scalars(select(SupplyPoint).filter_by(
        township_id=staff.township_id, kind="store", active=True)).first()
    if store is None:
        raise NotFound("supplies.no_store", "本镇还没有设置药具库房，请先由管理员设置。")
    return store


def item_by_id(item_id: int) -> SupplyItem:
    item = db.session.get(SupplyItem, item_id)
    if item is None:
        raise NotFound("supplies.item_not_found", "没有找到这种药具。")
    return item


def _point_item(point_id: int, item_id: int) -> PointItem:
    row = db.session.get(PointItem, (point_id, item_id))
    if row is None:
        row = PointItem(point_id=point_id, item_id=item_id, on_hand=0, held=0)
        db.session.add(row)
        db.session.flush()
    return row


def _level(point_id: int, batch_id: int) -> StockLevel:
    row = db.session.get(StockLevel, (point_id, batch_id))
    if row is None:
        row = StockLevel(point_id=point_id, batch_id=batch_id, quantity=0)
        db.session.add(row)
        db.session.flush()
    return row


# -- the primitive moves -----------------------------------------------------------------------
def _add(point_id: int, item_id: int, batch_id: int, quantity: int) -> None:
    _point_item(point_id, item_id)
    _level(point_id, batch_id)
    db.session.execute(update(StockLevel).filter_by(point_id=point_id, batch_id=batch_id)
                       .values(quantity=StockLevel.quantity + quantity)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(PointItem).filter_by(point_id=point_id, item_id=item_id)
                       .values(on_hand=PointItem.on_hand + quantity)
                       .execution_options(synchronize_session=False))


def _take_level(point_id: int, batch_id: int, quantity: int) -> None:
    taken = db.session.execute(
        update(StockLevel).where(StockLevel.point_id == point_id,
                                 StockLevel.batch_id == batch_id,
                                 StockLevel.quantity >= quantity)
        .values(quantity=StockLevel.quantity - quantity)
        .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise Conflict("supplies.insufficient_stock", INSUFFICIENT_STOCK)


def _remove(point_id: int, item_id: int, batch_id: int, quantity: int) -> None:
    _take_level(point_id, batch_id, quantity)
    # Stock that pickups are holding is promised to residents: it cannot be moved away.
    moved = db.session.execute(
        update(PointItem).where(PointItem.point_id == point_id, PointItem.item_id == item_id,
                                PointItem.on_hand - PointItem.held >= quantity)
        .values(on_hand=PointItem.on_hand - quantity)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Conflict("supplies.insufficient_stock", INSUFFICIENT_STOCK)


def _record(kind: str, item_id: int, batch_id: int, quantity: int, *, from_point: int | None,
            to_point: int | None, staff: StaffUser | None = None, reason: str | None = None,
            pickup_id: int | None = None) -> None:
    db.session.add(StockMovement(kind=kind, item_id=item_id, batch_id=batch_id,
                                 quantity=quantity, from_point_id=from_point,
                                 to_point_id=to_point, reason=reason,
                                 staff_id=staff.id if staff else None, pickup_id=pickup_id))


def _fefo_batches(point_id: int, item_id: int, *, skip_expired: bool) -> list[StockLevel]:
    query = (select(StockLevel).join(StockBatch)
             .where(StockLevel.point_id == point_id, StockBatch.item_id == item_id,
                    StockLevel.quantity > 0)
             .order_by(StockBatch.expires_on, StockBatch.id))
    if skip_expired:
        query = query.where(StockBatch.expires_on >= china_today())
    return list(db.session.scalars(query.with_for_update()))


def _take_fefo(point_id: int, item_id: int, quantity: int, *, skip_expired: bool) -> list[Taken]:
    """Which batches `quantity` comes out of, nearest expiry first."""
    taken, wanted = [], quantity
    for level in _fefo_batches(point_id, item_id, skip_expired=skip_expired):
        if wanted == 0:
            break
        part = min(wanted, level.quantity)
        taken.append(Taken(level.batch_id, part))
        wanted -= part
    if wanted:
        raise Conflict("supplies.insufficient_stock", INSUFFICIENT_STOCK)
    return taken


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed("supplies.bad_quantity", "数量必须是大于0的整数。")


# -- what staff do -----------------------------------------------------------------------------
def receive(staff: StaffUser, item_id: int, batch_no: str, expires_on: date,
            quantity: int) -> StockBatch:
    """Stock from the county arrives in the township store (入库)."""
    _check_quantity(quantity)
    item = item_by_id(item_id)
    store = township_store(staff)
    batch = db.session.scalars(select(StockBatch).filter_by(item_id=item.id,
                                                            batch_no=batch_no)).first()
    if batch is None:
        batch = StockBatch(item_id=item.id, batch_no=batch_no, expires_on=expires_on)
        db.session.add(batch)
        db.session.flush()
    elif batch.expires_on != expires_on:
        raise ValidationFailed("supplies.batch_expiry_mismatch",
                               f"批号 {batch_no} 已登记的有效期是 {batch.expires_on}，请核对。")
    _add(store.id, item.id, batch.id, quantity)
    _record("receipt", item.id, batch.id, quantity, from_point=None, to_point=store.id,
            staff=staff)
    record_audit(Actor("staff", str(staff.id)), "supplies.receipt", "supply_item", item.id,
                 {"batch_no": batch_no, "quantity": quantity})
    db.session.flush()
    return batch


def move_between(staff: StaffUser, kind: str, source: SupplyPoint, target: SupplyPoint,
                 item_id: int, quantity: int) -> list[Taken]:
    _check_quantity(quantity)
    item = item_by_id(item_id)
    if source.id == target.id:
        raise ValidationFailed("supplies.same_point", "调出和调入不能是同一个发放点。")
    taken = _take_fefo(source.id, item.id, quantity, skip_expired=True)
    for part in taken:
        _remove(source.id, item.id, part.batch_id, part.quantity)
        _add(target.id, item.id, part.batch_id, part.quantity)
        _record(kind, item.id, part.batch_id, part.quantity, from_point=source.id,
                to_point=target.id, staff=staff)
    record_audit(Actor("staff", str(staff.id)), f"supplies.{kind}", "supply_point", target.id,
                 {"from": source.id, "item": item.code, "quantity": quantity})
    db.session.flush()
    return taken


def issue(staff: StaffUser, point_id: int, item_id: int, quantity: int) -> list[Taken]:
    """From the township store to a point (出库/补货)."""
    target = point_for_staff(staff, point_id)
    return move_between(staff, "issue", township_store(staff), target, item_id, quantity)


def transfer(staff: StaffUser, from_point_id: int, to_point_id: int, item_id: int,
             quantity: int) -> list[Taken]:
    return move_between(staff, "transfer", point_for_staff(staff, from_point_id),
                        point_for_staff(staff, to_point_id), item_id, quantity)


def _batch(batch_id: int) -> StockBatch:
    batch = db.session.get(StockBatch, batch_id)
    if batch is None:
        raise NotFound("supplies.batch_not_found", "没有找到这个批号。")
    return batch


def record_loss(staff: StaffUser, point_id: int, batch_id: int, quantity: int,
                reason: str) -> None:
    """报损: broken, expired or lost stock leaves the books with a reason."""
    _check_quantity(quantity)
    point = point_for_staff(staff, point_id)
    batch = _batch(batch_id)
    _remove(point.id, batch.item_id, batch.id, quantity)
    _record("loss", batch.item_id, batch.id, quantity, from_point=point.id, to_point=None,
            staff=staff, reason=_reason(reason))
    record_audit(Actor("staff", str(staff.id)), "supplies.loss", "supply_point", point.id,
                 {"batch": batch.batch_no, "quantity": quantity})
    db.session.flush()


def adjust_to_count(staff: StaffUser, point_id: int, batch_id: int, counted: int,
                    reason: str) -> int:
    """盘点: the books follow what staff counted; returns the difference recorded."""
    if not isinstance(counted, int) or counted < 0:
        raise ValidationFailed("supplies.bad_quantity", "盘点数量不能为负数。")
    point = point_for_staff(staff, point_id)
    batch = _batch(batch_id)
    level = _level(point.id, batch.id)
    db.session.refresh(level, with_for_update=True)
    difference = counted - level.quantity
    if difference > 0:
        _add(point.id, batch.item_id, batch.id, difference)
        _record("adjustment", batch.item_id, batch.id, difference, from_point=None,
                to_point=point.id, staff=staff, reason=_reason(reason))
    elif difference < 0:
        _remove(point.id, batch.item_id, batch.id, -difference)
        _record("adjustment", batch.item_id, batch.id, -difference, from_point=point.id,
                to_point=None, staff=staff, reason=_reason(reason))
    record_audit(Actor("staff", str(staff.id)), "supplies.stock_take", "supply_point", point.id,
                 {"batch": batch.batch_no, "difference": difference})
    db.session.flush()
    return difference


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("supplies.reason_required", "请填写原因。")
    return reason[:200]


# -- what pickups and cabinets do --------------------------------------------------------------
def _take_from_one_batch(point_id: int, item_id: int, quantity: int) -> int | None:
    """The usual dispense in one statement: the nearest-expiry batch that holds enough.
    Returns its id, or None when the quantity has to come from several batches."""
    nearest = (select(StockLevel.batch_id).join(StockBatch)
               .where(StockLevel.point_id == point_id, StockBatch.item_id == item_id,
                      StockLevel.quantity >= quantity)
               .order_by(StockBatch.expires_on, StockBatch.id).limit(1).scalar_subquery())
    return db.session.scalar(
        update(StockLevel).where(StockLevel.point_id == point_id,
                                 StockLevel.batch_id == nearest,
                                 StockLevel.quantity >= quantity)
        .values(quantity=StockLevel.quantity - quantity).returning(StockLevel.batch_id)
        .execution_options(synchronize_session=False))


def dispense(point_id: int, item_id: int, quantity: int, pickup_id: int) -> None:
    """A cabinet gave out held stock."""
    batch_id = _take_from_one_batch(point_id, item_id, quantity)
    if batch_id is not None:
        parts = [Taken(batch_id, quantity)]
    else:
        parts = _take_fefo(point_id, item_id, quantity, skip_expired=False)
        for part in parts:
            _take_level(point_id, part.batch_id, part.quantity)
    left = db.session.execute(
        update(PointItem).where(PointItem.point_id == point_id, PointItem.item_id == item_id,
                                PointItem.held >= quantity)
        .values(on_hand=PointItem.on_hand - quantity, held=PointItem.held - quantity)
        .returning(PointItem.on_hand - PointItem.held, PointItem.low_threshold)
        .execution_options(synchronize_session=False)).first()
    if left is None:
        raise Conflict("supplies.insufficient_stock", "库存不足，请核对数量。")
    for part in parts:
        _record("dispense", item_id, part.batch_id, part.quantity, from_point=point_id,
                to_point=None, pickup_id=pickup_id)
    if left[0] <= left[1]:
        raise_restock_task_if_low(point_id, item_id)


def hold(point_id: int, item_id: int, quantity: int) -> bool:
    """Reserve stock for a pickup code; False when there is not enough left."""
    return db.session.execute(
        update(PointItem).where(PointItem.point_id == point_id, PointItem.item_id == item_id,
                                PointItem.on_hand - PointItem.held >= quantity)
        .values(held=PointItem.held + quantity)
        .execution_options(synchronize_session=False)).rowcount == 1


def release(point_id: int, item_id: int, quantity: int) -> None:
    db.session.execute(update(PointItem).where(PointItem.point_id == point_id,
                                               PointItem.item_id == item_id,
                                               PointItem.held >= quantity)
                       .values(held=PointItem.held - quantity)
                       .execution_options(synchronize_session=False))


def raise_restock_task_if_low(point_id: int, item_id: int) -> None:
    row = db.session.get(PointItem, (point_id, item_id), populate_existing=True)
    if row is None or row.on_hand - row.held > row.low_threshold:
        return
    point = db.session.get(SupplyPoint, point_id)
    left = row.on_hand - row.held
    open_task("restock", f"restock:{point_id}:{item_id}", point,
              f"{point.name}的{row.item.name}只剩 {left}{row.item.unit}，请补货。")
    if left <= 0:
        # Out: residents are turned away until someone restocks, so it is worth a text.
        staff_notices.notify(point_keepers(point), f"stock_out:{point_id}:{item_id}",
                             f"{point.name}的{row.item.name}已无库存，请尽快补货。",
                             sms=("药具缺货", point.name))


def flag_near_expiry(today: date | None = None) -> int:
    """A task for every point holding a batch that expires soon (近效期): use or move it
    first. Returns how many batches were flagged (one open task each, however often run)."""
    today = today or china_today()
    near = today + timedelta(days=config.settings().near_expiry_days)
    flagged = 0
    for level, batch, point in db.session.execute(
            select(StockLevel, StockBatch, SupplyPoint).join(StockBatch)
            .join(SupplyPoint, SupplyPoint.id == StockLevel.point_id)
            .where(StockLevel.quantity > 0, StockBatch.expires_on <= near)):
        item = db.session.get(SupplyItem, batch.item_id)
        open_task("near_expiry", f"expiry:{point.id}:{batch.id}", point,
                  f"{point.name}的{item.name}批号{batch.batch_no}（{level.quantity}{item.unit}）"
                  f"将于{batch.expires_on.isoformat()}到期，请优先发放或调剂。")
        flagged += 1
    db.session.flush()
    return flagged


# -- reading the books -------------------------------------------------------------------------
def stock_at(staff: StaffUser, point_id: int) -> dict:
    point = point_for_staff(staff, point_id)
    near = china_today() + timedelta(days=config.settings().near_expiry_days)
    items = []
    for row in db.session.scalars(select(PointItem).filter_by(point_id=point.id)
                                  .order_by(PointItem.item_id)):
        batches = db.session.execute(
            select(StockBatch, StockLevel.quantity).join(StockLevel)
            .where(StockLevel.point_id == point.id, StockBatch.item_id == row.item_id,
                   StockLevel.quantity > 0).order_by(StockBatch.expires_on)).all()
        items.append({
            "item_id": row.item_id, "item": row.item.name, "unit": row.item.unit,
            "on_hand": row.on_hand, "held": row.held, "available": row.on_hand - row.held,
            "low_threshold": row.low_threshold, "reported_quantity": row.reported_quantity,
            "batches": [{"batch_id": b.id, "batch_no": b.batch_no,
                         "expires_on": b.expires_on.isoformat(),
                         "quantity": q, "near_expiry": b.expires_on <= near}
                        for b, q in batches],
        })
    return {"point_id": point.id, "name": point.name, "kind": point.kind, "items": items}


def ledger_problems() -> list[str]:
    """Where the books disagree: levels vs the ledger, counters vs levels, holds vs pickups.
    Empty when 账、卡、物相符."""
    from wxapp.models import Pickup, PickupLine

    problems = []
    inflow = dict(((p, b), q) for p, b, q in db.session.execute(
        select(StockMovement.to_point_id, StockMovement.batch_id, func.sum(StockMovement.quantity))
        .where(StockMovement.to_point_id.is_not(None))
        .group_by(StockMovement.to_point_id, StockMovement.batch_id)))
    outflow = dict(((p, b), q) for p, b, q in db.session.execute(
        select(StockMovement.from_point_id, StockMovement.batch_id,
               func.sum(StockMovement.quantity))
        .where(StockMovement.from_point_id.is_not(None))
        .group_by(StockMovement.from_point_id, StockMovement.batch_id)))
    levels = {(level.point_id, level.batch_id): level.quantity
              for level in db.session.scalars(select(StockLevel))}
    for key in set(inflow) | set(outflow) | set(levels):
        expected = inflow.get(key, 0) - outflow.get(key, 0)
        if levels.get(key, 0) != expected:
            problems.append(f"point {key[0]} batch {key[1]}: level {levels.get(key, 0)}, "
                            f"ledger {expected}")
    per_item = dict(((p, i), q) for p, i, q in db.session.execute(
        select(StockLevel.point_id, StockBatch.item_id, func.sum(StockLevel.quantity))
        .join(StockBatch).group_by(StockLevel.point_id, StockBatch.item_id)))
    holds = dict(((p, i), q) for p, i, q in db.session.execute(
        select(Pickup.point_id, PickupLine.item_id, func.sum(PickupLine.quantity))
        .join(PickupLine).where(Pickup.status.in_(("held", "redeemed")))
        .group_by(Pickup.point_id, PickupLine.item_id)))
    for row in db.session.scalars(select(PointItem)):
        key = (row.point_id, row.item_id)
        if row.on_hand != per_item.get(key, 0):
            problems.append(f"point {key[0]} item {key[1]}: on hand {row.on_hand}, "
                            f"batches {per_item.get(key, 0)}")
        if row.held != holds.get(key, 0):
            problems.append(f"point {key[0]} item {key[1]}: held {row.held}, "
                            f"live pickups {holds.get(key, 0)}")
    return sorted(problems)
