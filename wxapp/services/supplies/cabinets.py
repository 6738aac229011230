"""What a self-service cabinet asks of the backend: redeem a code, report what it dispensed,
say it is alive, and (cabinets with an ID-card reader) give out supplies against an ID card.

Redeeming is one conditional UPDATE from `held` to `redeemed`: two cabinets presenting the same
code at once cannot both win. A dispense report carries the cabinet's own event id; the answer
is stored under it, so a report sent again (the cabinet lost our reply) changes nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from wxapp import config
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    DeviceEvent,
    Pickup,
    PickupLine,
    PointItem,
    SupplyItem,
    SupplyPoint,
)
from wxapp.models.base import utcnow
from wxapp.observability import metrics
from wxapp.security.identity import InvalidIdentity, parse_id_number
from wxapp.services import staff_notices
from wxapp.services.supplies import ledger, pickups
from wxapp.services.supplies.tasks import open_task, point_keepers


def _lines(pickup: Pickup) -> list[dict]:
    return [{"code": line.item.code, "name": line.item.name, "quantity": line.quantity}
            for line in pickup.lines]


@metrics.counted(metrics.CABINET_CALLS, lambda result: "redeemed", call="redeem")
def redeem(point_id: int, code: str) -> dict:
    code = (code or "").strip()
    if code.startswith(pickups.QR_PREFIX):
        code = code[len(pickups.QR_PREFIX):]
    now = utcnow()
    won = db.session.scalar(
        update(Pickup).where(Pickup.code == code, Pickup.point_id == point_id,
                             Pickup.status == "held", Pickup.expires_at > now)
        .values(status="redeemed", redeemed_at=now).returning(Pickup.id)
        .execution_options(synchronize_session=False))
    if won is not None:
        lines = db.session.execute(
            select(SupplyItem.code, SupplyItem.name, PickupLine.quantity).join(PickupLine)
            .where(PickupLine.pickup_id == won).order_by(PickupLine.item_id))
        return {"pickup_id": won, "items": [{"code": c, "name": n, "quantity": q}
                                            for c, n, q in lines]}
    status = db.session.scalar(select(Pickup.status).filter_by(code=code, point_id=point_id)
                               .order_by(Pickup.id.desc()).limit(1))
    if status is None:
        raise NotFound("pickup.code_invalid", "领取码无效，请核对后重新输入。")
    if status in ("held", "expired"):
        # Past its time. The refusal rolls this transaction back, so the hold is given back
        # by the every-minute sweep (or the next code asked for at this point).
        raise Conflict("pickup.code_expired", "领取码已过期，请在小程序中重新获取。", status=410)
    raise Conflict("pickup.code_used", "这个领取码已经使用过了。")


def _stored_event(point_id: int, event_id: str) -> dict | None:
    return db.session.scalar(select(DeviceEvent.response).filter_by(point_id=point_id,
                                                                    event_id=event_id))


def settle_redeemed(point_id: int, pickup_id: int, ok: bool) -> bool:
    """Close a redeemed pickup as dispensed (the stock left the shelf) or failed (it goes back);
    False when it was not waiting for that answer. Used by the cabinet's report and by staff
    answering for a cabinet that never reported."""
    # Claiming the pickup is one conditional UPDATE: of two answers arriving at once, the
    # second waits for the first's row lock, then finds nothing left to claim.
    claimed = db.session.scalar(
        update(Pickup).where(Pickup.id == pickup_id, Pickup.point_id == point_id,
                             Pickup.status == "redeemed")
        .values(status="dispensed" if ok else "failed", finished_at=utcnow())
        .returning(Pickup.id).execution_options(synchronize_session=False))
    if claimed is None:
        return False
    lines = db.session.execute(select(PickupLine.item_id, PickupLine.quantity)
                               .filter_by(pickup_id=pickup_id)).all()
    for item_id, quantity in lines:
        if ok:
            ledger.dispense(point_id, item_id, quantity, pickup_id)
        else:
            # Nothing came out: the stock goes back to the shelf; she may ask for a new code.
            ledger.release(point_id, item_id, quantity)
    return True


@metrics.counted(metrics.CABINET_CALLS, lambda result: result["status"], call="dispense_result")
def report_dispense(point_id: int, event_id: str, pickup_id: int, ok: bool,
                    fault: str | None = None) -> dict:
    if not settle_redeemed(point_id, pickup_id, ok):
        # A resent report answers with what the first one stored.
        stored = _stored_event(point_id, event_id)
        if stored is not None:
            return stored
        if db.session.scalar(select(Pickup.id).filter_by(id=pickup_id,
                                                         point_id=point_id)) is None:
            raise NotFound("pickup.not_found", "没有找到这次领取。")
        raise Conflict("pickup.not_redeemed", "这次领取不在出货状态。")
    if not ok:
        _record_fault(db.session.get(SupplyPoint, point_id), fault or "出货失败")
    response = {"pickup_id": pickup_id, "status": "dispensed" if ok else "failed"}
    db.session.add(DeviceEvent(point_id=point_id, event_id=event_id, kind="dispense",
                               response=response))
    db.session.flush()
    return response


def _record_fault(point: SupplyPoint, fault: str) -> None:
    point.status = "fault"
    open_task("point_report", f"fault:{point.id}", point, f"{point.name}报告故障：{fault}")


@metrics.counted(metrics.CABINET_CALLS, lambda result: result["status"], call="heartbeat")
def heartbeat(point_id: int, stock: list[dict], faults: list[str]) -> dict:
    point = db.session.get(SupplyPoint, point_id)
    point.last_seen_at = utcnow()
    point.status = "fault" if faults else "online"
    if faults:
        _record_fault(point, "；".join(faults)[:200])
    items = {item.code: item.id for item in db.session.scalars(select(SupplyItem))}
    for entry in stock:
        item_id = items.get(entry["code"])
        if item_id is None:
            continue
        db.session.execute(update(PointItem).filter_by(point_id=point.id, item_id=item_id)
                           .values(reported_quantity=entry["quantity"])
                           .execution_options(synchronize_session=False))
    db.session.flush()
    return {"status": point.status, "server_time": point.last_seen_at.isoformat()}


@metrics.counted(metrics.CABINET_CALLS, lambda result: "redeemed", call="id_card_pickup")
def id_card_pickup(point_id: int, id_number: str, wanted: list[dict]) -> dict:
    """The ID number is used for one blind-index look-up and then forgotten: only its keyed
    hash is kept, as the quota holder."""
    point = db.session.get(SupplyPoint, point_id)
    try:
        parsed = parse_id_number(id_number)
    except InvalidIdentity as exc:
        raise ValidationFailed(exc.code, exc.message) from None
    holder = pickups.holder_key_for_id_number(parsed.value)
    items = {item.code: item for item in db.session.scalars(select(SupplyItem))}
    resolved = []
    for entry in wanted:
        item = items.get(entry["code"])
        if item is None:
            raise NotFound("pickup.item_not_found", "没有找到您选择的药具。")
        resolved.append(pickups.Wanted(item.id, entry["quantity"]))
    if point.status != "online":
        raise Conflict("pickup.point_unavailable", "本机暂时不能使用。")
    pickups.lock_holder(holder)
    chosen = pickups.validated_choice(point, holder, resolved)
    pickups.hold_all(point, chosen)
    pickup = pickups.new_pickup(point, holder, None, chosen, status="redeemed", with_code=False)
    return {"pickup_id": pickup.id, "items": _lines(pickup)}


def mark_silent_cabinets_offline(now: datetime | None = None) -> int:
    """A cabinet that has not called in for a while is offline: residents are no longer sent
    there, and the staff of its village get a task."""
    now = now or utcnow()
    limit = now - timedelta(minutes=config.settings().device_offline_after_minutes)
    silent = list(db.session.scalars(select(SupplyPoint).where(
        SupplyPoint.kind == "cabinet", SupplyPoint.active.is_(True),
        SupplyPoint.status != "offline", SupplyPoint.last_seen_at < limit)))
    for point in silent:
        point.status = "offline"
        text = (f"{point.name}已超过{config.settings().device_offline_after_minutes}"
                "分钟没有联网，请到现场检查。")
        open_task("offline", f"offline:{point.id}", point, text)
        staff_notices.notify(point_keepers(point), f"cabinet_offline:{point.id}", text,
                             sms=("自助机柜离线", point.name))
    db.session.flush()
    return len(silent)
