"""The points in a staff member's scope as the console shows them: one state per point that
says what needs doing first, the point's recent ledger entries, and batches found by the
number on the box (typed, or scanned into the field).

The ledger's entries name points, items, batches and staff, never residents: a dispense is
"发放", whoever took it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from wxapp.errors import NotFound
from wxapp.extensions import db
from wxapp.models import (
    PointItem,
    StaffUser,
    StockBatch,
    StockMovement,
    SupplyItem,
    SupplyPoint,
    Village,
)
from wxapp.services.supplies import ledger
from wxapp.services.supplies.pickups import availability
from wxapp.services.supplies.staff_queries import points_for

# Worst first: a broken or silent cabinet turns everyone away; an empty item some; a low one
# soon.
STATES = ("fault", "offline", "out", "low", "online")
STATE_LABELS = {"online": "正常", "low": "库存偏低", "out": "缺货", "offline": "离线",
                "fault": "故障"}
KIND_LABELS = {"store": "库房", "cabinet": "自助发放机", "counter": "人工发放窗口"}
MOVEMENT_LABELS = {"receipt": "入库", "issue": "领入/补货", "transfer": "调拨", "dispense": "发放",
                   "loss": "报损", "adjustment": "盘点调整"}


@dataclass(frozen=True)
class PointState:
    id: int
    code: str
    name: str
    kind: str
    village: str
    address: str
    latitude: float | None
    longitude: float | None
    state: str
    short_items: tuple[str, ...]  # items that are out or low, in words
    last_seen_at: datetime | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def _stock_state(rows: list[tuple[PointItem, SupplyItem]]) -> tuple[str, tuple[str, ...]]:
    worst, short = "online", []
    for row, item in rows:
        level = availability(row.on_hand - row.held, row.low_threshold)
        if level == "available":
            continue
        short.append(f"{item.name}{STATE_LABELS[level]}（可用 {row.on_hand - row.held}"
                     f"{item.unit}）")
        if STATES.index(level) < STATES.index(worst):
            worst = level
    return worst, tuple(short)


def point_states(staff: StaffUser) -> list[PointState]:
    """Every active point in scope, with the one state that matters most there."""
    points = [p for p in points_for(staff) if p.active]
    stock: dict[int, list] = {p.id: [] for p in points}
    for row, item in db.session.execute(
            select(PointItem, SupplyItem).join(SupplyItem, SupplyItem.id == PointItem.item_id)
            .where(PointItem.point_id.in_(list(stock)), SupplyItem.active.is_(True))
            .order_by(SupplyItem.id)):
        stock[row.point_id].append((row, item))
    villages = dict(db.session.execute(select(Village.id, Village.name)).all())
    found = []
    for point in points:
        state, short = _stock_state(stock[point.id])
        if point.status in ("fault", "offline"):
            state = point.status
        found.append(PointState(
            id=point.id, code=point.code, name=point.name, kind=point.kind,
            village=villages.get(point.village_id, "镇级"), address=point.address,
            latitude=point.latitude, longitude=point.longitude, state=state,
            short_items=short, last_seen_at=point.last_seen_at))
    return found


def recent_movements(staff: StaffUser, point_id: int, limit: int = 20) -> list[dict]:
    """The point's latest ledger entries, newest first; in or out of the point, with the
    other side named when it is a point."""
    point = ledger.point_for_staff(staff, point_id)
    source, target = aliased(SupplyPoint), aliased(SupplyPoint)
    rows = db.session.execute(
        select(StockMovement, SupplyItem, StockBatch, source.name, target.name,
               StaffUser.display_name)
        .join(SupplyItem, SupplyItem.id == StockMovement.item_id)
        .join(StockBatch, StockBatch.id == StockMovement.batch_id)
        .outerjoin(source, source.id == StockMovement.from_point_id)
        .outerjoin(target, target.id == StockMovement.to_point_id)
        .outerjoin(StaffUser, StaffUser.id == StockMovement.staff_id)
        .where((StockMovement.from_point_id == point.id)
               | (StockMovement.to_point_id == point.id))
        .order_by(StockMovement.id.desc()).limit(limit))
    entries = []
    for movement, item, batch, source_name, target_name, staff_name in rows:
        incoming = movement.to_point_id == point.id
        other = source_name if incoming else target_name
        entries.append({
            "at": movement.created_at, "kind": MOVEMENT_LABELS.get(movement.kind, movement.kind),
            "item": item.name, "unit": item.unit, "batch_no": batch.batch_no,
            "change": movement.quantity if incoming else -movement.quantity,
            "other_point": other or "", "reason": movement.reason or "",
            "by": staff_name or ("自助发放机" if movement.kind == "dispense" else "")})
    return entries


def batch_by_number(item_id: int, batch_no: str) -> StockBatch:
    batch = db.session.scalars(select(StockBatch).filter_by(
        item_id=item_id, batch_no=batch_no.strip())).first()
    if batch is None:
        raise NotFound("supplies.batch_not_found", "没有找到这种药具的这个批号，请核对。")
    return batch


def stock_points(staff: StaffUser) -> list[SupplyPoint]:
    """Points in scope that hold stock to give out (the township store is the source of
    issues, not one of their targets)."""
    return [p for p in points_for(staff) if p.active and p.kind != "store"]


def active_items() -> list[SupplyItem]:
    return list(db.session.scalars(select(SupplyItem).filter_by(active=True)
                                   .order_by(SupplyItem.id)))
