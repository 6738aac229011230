"""Residents take free contraceptives from self-service points with a one-time code.

A code holds the chosen stock at one point until it is used, cancelled or expires. The code is
random digits: it says nothing about who asked or what for. Fair-use quotas count per person —
the resident, or the blind index of the ID number when we know it, so that the mini-program and
an ID-card cabinet share one quota without the number ever being kept.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from wxapp import config
from wxapp.china_time import CHINA
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    GuidanceRecord,
    Pickup,
    PickupLine,
    PointItem,
    Resident,
    ResidentProfile,
    SupplyItem,
    SupplyPoint,
)
from wxapp.models.base import utcnow
from wxapp.models.supplies import SupplyHolder
from wxapp.observability import metrics
from wxapp.security.blind_index import id_number_index
from wxapp.services.accounts.ownership import owned_by
from wxapp.services.supplies import ledger
from wxapp.services.supplies.opening_hours import (
    code_window,
    describe_window,
    next_opening,
    parse_hours,
)

LIVE = ("held", "redeemed")
COUNTED = ("held", "redeemed", "dispensed")
QR_PREFIX = "WXAPP-PICKUP:"


@dataclass(frozen=True)
class Wanted:
    item_id: int
    quantity: int



def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def china_time(value: datetime) -> datetime:
    return _aware(value).astimezone(CHINA)


def stock_rows(point_id: int) -> list[PointItem]:
    return list(db.session.scalars(select(PointItem).filter_by(point_id=point_id)
                                   .order_by(PointItem.item_id)))


def holder_key_for_id_number(id_number: str) -> str:
    return f"id:{id_number_index(id_number)}"


def holder_key_for(resident: Resident) -> str:
    # The profile's index is the same derivation as the cabinets' and staff's
    # (wxapp.security.blind_index): she is one holder on every channel.
    id_index = db.session.scalar(select(ResidentProfile.id_number_index)
                                 .filter_by(resident_id=resident.id))
    return f"id:{id_index}" if id_index else f"resident:{resident.id}"


def adopt_earlier_pickups(resident_id: int, id_number_index: str) -> None:
    """Her profile has just learnt her ID number: the pickups she made before, counted under
    her resident id, now count under her ID number, the key her ID card and doctors' guidance
    use. A code she still holds moves too, unless someone else with that ID number holds one
    (one unused code per person)."""
    old, new = f"resident:{resident_id}", f"id:{id_number_index}"
    lock_holder(new)
    movable = Pickup.holder_key == old
    if _holding(new) is not None:
        movable = movable & (Pickup.status != "held")
    db.session.execute(update(Pickup).where(movable).values(holder_key=new)
                       .execution_options(synchronize_session=False))


def lock_holder(holder_key: str) -> None:
    """Take this person's row lock until the transaction ends. The quota is read, then a
    pickup inserted: without this, two requests for one person (two cabinets, the app and a
    cabinet) both read "nothing yet" and both insert. One upsert both creates the row and
    locks it on PostgreSQL (ON CONFLICT DO UPDATE locks the existing row) and takes SQLite's
    write lock, so the quota reads that follow see every pickup committed before."""
    now = utcnow()
    table = SupplyHolder.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(holder_key=holder_key, last_claimed_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.holder_key], set_={"last_claimed_at": now}))


# -- finding a point ---------------------------------------------------------------------------
def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance; GCJ-02's offset is the same for two nearby points."""
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def availability(available: int, threshold: int) -> str:
    if available <= 0:
        return "out"
    return "low" if available <= threshold else "available"


def guided_item_ids(holder_key: str) -> set[int]:
    return set(db.session.scalars(select(GuidanceRecord.item_id).filter_by(holder_key=holder_key)))


def offered(point: SupplyPoint, item: SupplyItem, guided: set[int]) -> bool:
    # At a staffed counter a person explains first use; a cabinet cannot.
    return item.active and (not item.needs_guidance or point.kind == "counter"
                            or item.id in guided)


# Further than this is not "near" for anyone walking or cycling to a cabinet in a township.
NEARBY_RADIUS_M = 30_000


def nearby(resident: Resident, latitude: float, longitude: float, limit: int = 10) -> list[dict]:
    points = [p for p in db.session.scalars(select(SupplyPoint).where(
        SupplyPoint.active.is_(True), SupplyPoint.kind != "store",
        SupplyPoint.latitude.is_not(None), SupplyPoint.longitude.is_not(None)))
        if distance_m(latitude, longitude, p.latitude, p.longitude) <= NEARBY_RADIUS_M]
    points.sort(key=lambda p: distance_m(latitude, longitude, p.latitude, p.longitude))
    return _describe(resident, points[:limit], (latitude, longitude))


def points_of_village(resident: Resident, village_id: int, limit: int = 10) -> list[dict]:
    """The points of a village, for a resident who would rather not share her location."""
    points = list(db.session.scalars(select(SupplyPoint).where(
        SupplyPoint.active.is_(True), SupplyPoint.kind != "store",
        SupplyPoint.village_id == village_id).order_by(SupplyPoint.name, SupplyPoint.id)
        .limit(limit)))
    return _describe(resident, points, None)


def _describe(resident: Resident, points: list[SupplyPoint],
              origin: tuple[float, float] | None) -> list[dict]:
    guided = guided_item_ids(holder_key_for(resident))
    stock = {}
    for row in db.session.scalars(select(PointItem).where(
            PointItem.point_id.in_([p.id for p in points]))):
        stock.setdefault(row.point_id, []).append(row)
    result = []
    now = utcnow()
    for point in points:
        # Told before she asks: a closed counter says when it opens next.
        closed_until = next_opening(parse_hours(point.hours), now, CHINA)
        items = [{"item_id": row.item_id, "item_code": row.item.code, "name": row.item.name,
                  "unit": row.item.unit, "per_pickup_limit": row.item.per_pickup_limit,
                  "availability": availability(row.on_hand - row.held, row.low_threshold)}
                 for row in sorted(stock.get(point.id, []), key=lambda r: r.item_id)
                 if offered(point, row.item, guided)]
        located = origin is not None and point.latitude is not None \
            and point.longitude is not None
        result.append({"id": point.id, "name": point.name, "kind": point.kind,
                       "address": point.address, "hours": point.hours, "status": point.status,
                       "open_now": closed_until is None,
                       "next_opening": describe_window(*closed_until, china_time(now).date())
                       if closed_until else None,
                       "village_id": point.village_id,
                       "latitude": point.latitude, "longitude": point.longitude,
                       "distance_m": round(distance_m(*origin, point.latitude, point.longitude))
                       if located else None,
                       "items": items})
    return result


# -- fair use ----------------------------------------------------------------------------------
def _fmt(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_quota(holder_key: str, item: SupplyItem, quantity: int,
                now: datetime | None = None) -> None:
    now = now or utcnow()
    if quantity < 1 or quantity > item.per_pickup_limit:
        raise ValidationFailed("pickup.over_per_pickup_limit",
                               f"{item.name}每次最多领取{item.per_pickup_limit}{item.unit}。")
    counted = (Pickup.holder_key == holder_key, PickupLine.item_id == item.id,
               Pickup.status.in_(COUNTED))
    last = db.session.scalar(select(func.max(Pickup.created_at)).join(PickupLine)
                             .where(*counted))
    if last is not None and item.interval_days > 0:
        next_day = (_aware(last) + timedelta(days=item.interval_days)).astimezone(CHINA).date()
        if now.astimezone(CHINA).date() < next_day:
            raise Conflict("pickup.too_soon",
                           f"{item.name}每{item.interval_days}天可以领取一次，"
                           f"下次可以在{_fmt(next_day)}以后领取。",
                           details={"next_pickup_on": next_day.isoformat(), "item": item.code})
    year = now.astimezone(CHINA).year
    this_year = db.session.scalar(
        select(func.coalesce(func.sum(PickupLine.quantity), 0)).select_from(Pickup)
        .join(PickupLine).where(*counted, Pickup.created_at >= datetime(year, 1, 1,
                                                                         tzinfo=CHINA)))
    if this_year + quantity > item.yearly_limit:
        left = max(0, item.yearly_limit - this_year)
        next_day = date(year + 1, 1, 1)
        raise Conflict("pickup.yearly_limit",
                       f"{item.name}每人每年最多领取{item.yearly_limit}{item.unit}，"
                       f"今年还可以领取{left}{item.unit}"
                       + ("。" if left else f"，{_fmt(next_day)}以后可以再领取。"),
                       details={"left_this_year": left, "item": item.code,
                                **({} if left else {"next_pickup_on": next_day.isoformat()})})


# -- asking for a code -------------------------------------------------------------------------
def _point_for_pickup(point_id: int) -> SupplyPoint:
    point = db.session.get(SupplyPoint, point_id)
    if point is None or not point.active or point.kind == "store":
        raise NotFound("pickup.point_not_found", "没有找到这个发放点。")
    if point.status != "online":
        raise Conflict("pickup.point_unavailable",
                       "这个发放点暂时不能使用（离线或故障），请选择附近其他发放点。")
    return point


def validated_choice(point: SupplyPoint, holder_key: str, wanted: list[Wanted]) -> list[tuple]:
    if not wanted:
        raise ValidationFailed("pickup.no_items", "请至少选择一种药具。")
    if len({w.item_id for w in wanted}) != len(wanted):
        raise ValidationFailed("pickup.duplicate_items", "同一种药具请只选一次，并填写数量。")
    guided = guided_item_ids(holder_key)
    chosen = []
    for want in wanted:
        item = db.session.get(SupplyItem, want.item_id)
        if item is None or not item.active:
            raise NotFound("pickup.item_not_found", "没有找到您选择的药具。")
        if not offered(point, item, guided):
            raise Conflict("pickup.needs_guidance",
                           f"{item.name}首次使用需要医生指导，请先到镇卫生院或村卫生室咨询，"
                           "医生登记后即可在自助发放点领取。")
        check_quota(holder_key, item, want.quantity)
        chosen.append((item, want.quantity))
    return chosen


def hold_all(point: SupplyPoint, chosen: list[tuple]) -> None:
    for item, quantity in chosen:
        if not ledger.hold(point.id, item.id, quantity):
            raise Conflict("pickup.out_of_stock",
                           f"{point.name}的{item.name}库存不足，请减少数量或选择其他发放点。",
                           details={"item": item.code})


def new_pickup(point: SupplyPoint, holder_key: str, resident_id: int | None,
                chosen: list[tuple], *, status: str, with_code: bool) -> Pickup:
    now = utcnow()
    valid = timedelta(minutes=config.settings().pickup_code_valid_minutes)
    # A code asked for while a counter is closed is kept for its next opening.
    window = code_window(parse_hours(point.hours) if with_code else None, now, valid, CHINA)
    for _attempt in range(5):
        pickup = Pickup(holder_key=holder_key, resident_id=resident_id, point_id=point.id,
                        status=status,
                        code=f"{secrets.randbelow(10 ** 8):08d}" if with_code else None,
                        expires_at=window.expires_at, usable_from=window.usable_from,
                        redeemed_at=None if with_code else now)
        pickup.lines = [PickupLine(item_id=item.id, quantity=q) for item, q in chosen]
        try:
            with db.session.begin_nested():
                db.session.add(pickup)
            return pickup
        except IntegrityError:
            if with_code and _holding(holder_key) is not None:
                raise _already_holding(_holding(holder_key)) from None
            # Another live pickup has these eight digits (1 in 10^8 per live code): redraw.
            continue
    raise Conflict("pickup.busy", "系统繁忙，请稍后再试。")


def _holding(holder_key: str) -> Pickup | None:
    return db.session.scalars(select(Pickup).where(Pickup.holder_key == holder_key,
                                                   Pickup.status == "held")).first()


def _already_holding(live: Pickup) -> Conflict:
    return Conflict("pickup.already_holding", "您还有一个未使用的领取码，请先使用或取消后再申请。",
                    details={"pickup_id": live.id})


@metrics.counted(metrics.PICKUPS, lambda pickup: pickup.status, action="request")
def request_pickup(resident: Resident, point_id: int, wanted: list[Wanted]) -> Pickup:
    point = _point_for_pickup(point_id)
    holder = holder_key_for(resident)
    # The holder's lock first, then stock rows (the sweep below releases holds): the same
    # order as an ID-card pickup, so the two cannot deadlock.
    lock_holder(holder)
    expire_overdue(point_id=point.id)
    live = _holding(holder)
    if live is not None:
        raise _already_holding(live)
    chosen = validated_choice(point, holder, wanted)
    hold_all(point, chosen)
    return new_pickup(point, holder, resident.id, chosen, status="held", with_code=True)


def get_mine(resident: Resident, pickup_id: int) -> Pickup:
    return owned_by(resident, Pickup, pickup_id, "pickup.not_found", "没有找到这条领取记录。")


def release_lines(pickup: Pickup) -> None:
    for line in pickup.lines:
        ledger.release(pickup.point_id, line.item_id, line.quantity)


def _finish(pickup_id: int, from_status: str, to_status: str) -> bool:
    """Move a pickup on exactly once, whoever else is trying (the resident, the sweep)."""
    return db.session.execute(
        update(Pickup).where(Pickup.id == pickup_id, Pickup.status == from_status)
        .values(status=to_status, finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1


@metrics.counted(metrics.PICKUPS, lambda pickup: pickup.status, action="cancel")
def cancel(resident: Resident, pickup_id: int) -> Pickup:
    pickup = get_mine(resident, pickup_id)
    if pickup.status == "cancelled":
        return pickup  # a retried tap: already done
    if not _finish(pickup.id, "held", "cancelled"):
        raise Conflict("pickup.not_cancellable", "这个领取码已经使用或失效，不能取消。")
    release_lines(pickup)
    db.session.flush()
    db.session.refresh(pickup)
    return pickup


def expire_overdue(now: datetime | None = None, point_id: int | None = None) -> int:
    """Codes past their time give their stock back. Returns how many expired."""
    now = now or utcnow()
    query = select(Pickup).where(Pickup.status == "held", Pickup.expires_at <= now)
    if point_id is not None:
        query = query.where(Pickup.point_id == point_id)
    expired = 0
    # In id order: two sweeps at once meet on the same first row instead of deadlocking.
    for pickup in db.session.scalars(query.order_by(Pickup.id).limit(500)).all():
        if _finish(pickup.id, "held", "expired"):
            release_lines(pickup)
            expired += 1
    db.session.flush()
    return expired


def history(resident: Resident) -> list[Pickup]:
    return list(db.session.scalars(select(Pickup).filter_by(resident_id=resident.id)
                                   .order_by(Pickup.id.desc()).limit(100)))


def when_to_come(pickup: Pickup, now: datetime | None = None) -> str:
    """What to tell her about the time: the opening the code was kept for, or its deadline."""
    now = now or utcnow()
    today = china_time(now).date()
    expires = china_time(pickup.expires_at)
    if pickup.usable_from is not None and now < _aware(pickup.usable_from):
        opening = describe_window(china_time(pickup.usable_from), expires, today)
        return (f"{pickup.point.name}现在不开放，领取码为您保留到下次开放：{opening}，"
                "请在这段时间内前往领取。")
    day = "今天" if expires.date() == today else f"{expires.month}月{expires.day}日"
    return f"请在{day}{expires:%H:%M}前到{pickup.point.name}使用领取码，过时自动作废。"


def as_view(pickup: Pickup) -> dict:
    live = pickup.status == "held"
    return {"id": pickup.id, "status": pickup.status, "point_id": pickup.point_id,
            "point": pickup.point.name, "address": pickup.point.address,
            "code": pickup.code if live else None,
            "qr_payload": f"{QR_PREFIX}{pickup.code}" if live else None,
            "expires_at": pickup.expires_at, "usable_from": pickup.usable_from,
            "when_to_come": when_to_come(pickup) if live else None,
            "created_at": pickup.created_at,
            "items": [{"item_id": line.item_id, "name": line.item.name, "unit": line.item.unit,
                       "quantity": line.quantity} for line in pickup.lines],
            "follow_up_answer": pickup.follow_up_answer}
