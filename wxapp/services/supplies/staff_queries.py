"""What staff see and set about points and pickups, always within their own township or
village; every read of a person's pickups is audited."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.errors import NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import GuidanceRecord, Pickup, PointItem, StaffUser, SupplyItem, SupplyPoint
from wxapp.security.identity import InvalidIdentity, parse_id_number
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.supplies import ledger
from wxapp.services.supplies.pickups import availability, holder_key_for_id_number

# Who records that a doctor explained first use: the clinic that explained it, or the office
# and village workers entering what the clinic told them.
GUIDES = ("clinic", "township_admin", "village_worker")


def points_for(staff: StaffUser) -> list[SupplyPoint]:
    return list(db.session.scalars(scoped(select(SupplyPoint), staff, SupplyPoint.township_id,
                                          SupplyPoint.village_id).order_by(SupplyPoint.id)))


def stock_alerts(staff: StaffUser) -> list[dict]:
    """Every item at a point in scope that has run out or fallen to its restock threshold,
    emptiest first: what the restock tasks are about, at a glance."""
    available = PointItem.on_hand - PointItem.held
    query = scoped(
        select(SupplyPoint, SupplyItem, PointItem)
        .join(PointItem, PointItem.point_id == SupplyPoint.id)
        .join(SupplyItem, SupplyItem.id == PointItem.item_id)
        .where(SupplyPoint.active.is_(True), SupplyItem.active.is_(True),
               available <= PointItem.low_threshold),
        staff, SupplyPoint.township_id, SupplyPoint.village_id)
    rows = [{"point_id": point.id, "point": point.name, "item": item.name, "unit": item.unit,
             "available": row.on_hand - row.held, "low_threshold": row.low_threshold,
             "level": availability(row.on_hand - row.held, row.low_threshold)}
            for point, item, row in db.session.execute(query)]
    return sorted(rows, key=lambda r: (r["level"] != "out", r["available"], r["point"],
                                       r["item"]))


def offline_cabinets(staff: StaffUser) -> list[dict]:
    """Cabinets in scope that residents cannot use now: silent past the offline limit, or
    reporting a fault."""
    query = scoped(select(SupplyPoint).where(
        SupplyPoint.kind == "cabinet", SupplyPoint.active.is_(True),
        SupplyPoint.status != "online"), staff, SupplyPoint.township_id, SupplyPoint.village_id)
    return [{"point_id": point.id, "point": point.name, "address": point.address,
             "status": point.status, "last_seen_at": point.last_seen_at}
            for point in db.session.scalars(query.order_by(SupplyPoint.code))]


def _follows_up(staff: StaffUser, point: SupplyPoint) -> bool:
    return (staff.role == "village_worker" if point.village_id is not None
            else staff.role == "township_admin")


def pickup_for_staff(staff: StaffUser, pickup_id: int) -> Pickup:
    """One pickup, for the same staff as the point's list of pickups; anyone else: 404."""
    pickup = db.session.get(Pickup, pickup_id)
    point = None
    if pickup is not None:
        point = db.session.scalars(scoped(select(SupplyPoint).filter_by(id=pickup.point_id),
                                          staff, SupplyPoint.township_id,
                                          SupplyPoint.village_id)).first()
    if point is None or not _follows_up(staff, point):
        raise NotFound("supplies.pickup_not_found", "没有找到这条领取记录。")
    return pickup


def pickups_at(staff: StaffUser, point_id: int, limit: int = 100) -> list[Pickup]:
    """Who took what is for the staff who follow that village up: its village worker, or the
    township office for points that belong to no village (the health centre's counter)."""
    point = ledger.point_for_staff(staff, point_id)
    if not _follows_up(staff, point):
        raise NotFound("supplies.point_not_found", "没有找到这个发放点。")
    found = list(db.session.scalars(select(Pickup).filter_by(point_id=point.id)
                                    .order_by(Pickup.id.desc()).limit(limit)))
    record_audit(Actor("staff", str(staff.id)), "supplies.pickups_read", "supply_point",
                 point.id, {"count": len(found)})
    return found


def record_guidance(staff: StaffUser, id_number: str, item_id: int) -> GuidanceRecord:
    """A doctor explained first use; the ID number is reduced to its blind index at once."""
    try:
        parsed = parse_id_number(id_number)
    except InvalidIdentity as exc:
        raise ValidationFailed(exc.code, exc.message) from None
    item = ledger.item_by_id(item_id)
    if not item.needs_guidance:
        raise ValidationFailed("supplies.guidance_not_needed", f"{item.name}不需要登记用药指导。")
    holder = holder_key_for_id_number(parsed.value)
    record = db.session.scalars(select(GuidanceRecord).filter_by(holder_key=holder,
                                                                 item_id=item.id)).first()
    if record is None:
        record = GuidanceRecord(holder_key=holder, item_id=item.id, staff_id=staff.id)
        db.session.add(record)
    record_audit(Actor("staff", str(staff.id)), "supplies.guidance", "supply_item", item.id)
    db.session.flush()
    return record


def set_threshold(staff: StaffUser, point_id: int, item_id: int, threshold: int) -> PointItem:
    point = ledger.point_for_staff(staff, point_id)
    item = ledger.item_by_id(item_id)
    row = db.session.get(PointItem, (point.id, item.id))
    if row is None:
        row = PointItem(point_id=point.id, item_id=item.id, on_hand=0, held=0)
        db.session.add(row)
    row.low_threshold = threshold
    db.session.flush()
    ledger.raise_restock_task_if_low(point.id, item.id)
    return row


ITEM_RULES = ("per_pickup_limit", "interval_days", "yearly_limit", "needs_guidance", "active")
# The quotas' ranges, the staff API's and the console's alike (the API's schema says the same).
QUOTA_RANGES = {"per_pickup_limit": (1, 1000, "每次最多领取"),
                "interval_days": (0, 366, "两次领取至少间隔的天数"),
                "yearly_limit": (1, 100_000, "每年最多领取")}


def items() -> list[SupplyItem]:
    return list(db.session.scalars(select(SupplyItem).order_by(SupplyItem.id)))


def item_rule_problems(item: SupplyItem, rules: dict) -> dict[str, str]:
    """Chinese messages for the quotas that cannot be accepted, by field."""
    problems = {}
    for name, (low, high, label) in QUOTA_RANGES.items():
        value = rules.get(name)
        if name in rules and (isinstance(value, bool) or not isinstance(value, int)
                              or not low <= value <= high):
            problems[name] = f"{label}请填写{low}到{high}之间的整数。"
    if not problems:
        per_pickup = rules.get("per_pickup_limit", item.per_pickup_limit)
        if per_pickup > rules.get("yearly_limit", item.yearly_limit):
            problems["yearly_limit"] = "每年最多领取的数量不能少于每次最多领取的数量。"
    return problems


def _apply_item_rules(staff: StaffUser, item: SupplyItem, rules: dict) -> None:
    changed = {name: (getattr(item, name), rules[name]) for name in ITEM_RULES
               if name in rules and getattr(item, name) != rules[name]}
    if not changed:
        return  # the same form sent twice: nothing to change, nothing to record
    for name, (_old, new) in changed.items():
        setattr(item, name, new)
    record_audit(Actor("staff", str(staff.id)), "supplies.item_rules", "supply_item", item.id,
                 {"item": item.code, **{name: new for name, (_old, new) in changed.items()},
                  "old": {name: old for name, (old, _new) in changed.items()}})


def set_item_rules(staff: StaffUser, item_id: int, rules: dict) -> SupplyItem:
    """Fair-use quotas and first-use guidance are the office's to set, per item."""
    item = ledger.item_by_id(item_id)
    problems = item_rule_problems(item, rules)
    if problems:
        raise ValidationFailed("supplies.invalid_rules", next(iter(problems.values())),
                               details=problems)
    _apply_item_rules(staff, item, rules)
    db.session.flush()
    return item


def guidance_records(staff: StaffUser, limit: int = 100) -> list[dict]:
    """Guidance given, newest first, without the person: a record holds only her blind index.
    The township office sees its township's records; others the records they made."""
    query = (select(GuidanceRecord, SupplyItem.name, StaffUser.display_name)
             .join(SupplyItem, SupplyItem.id == GuidanceRecord.item_id)
             .join(StaffUser, StaffUser.id == GuidanceRecord.staff_id)
             .where(StaffUser.township_id == staff.township_id))
    if staff.role != "township_admin":
        query = query.where(GuidanceRecord.staff_id == staff.id)
    return [{"at": record.created_at, "item": item, "by": by}
            for record, item, by in db.session.execute(
                query.order_by(GuidanceRecord.id.desc()).limit(limit))]


def guided_items() -> list[SupplyItem]:
    """The items whose first use a doctor explains before a cabinet gives them out."""
    return list(db.session.scalars(select(SupplyItem).filter_by(needs_guidance=True, active=True)
                                   .order_by(SupplyItem.id)))


def set_quotas(staff: StaffUser, rules_by_item: dict[int, dict]) -> list[SupplyItem]:
    """Several items' quotas at once, all or none: every item is checked before any changes.
    ``ValidationFailed.details`` maps ``"<item id>.<field>"`` to its message."""
    chosen = [(ledger.item_by_id(item_id), rules) for item_id, rules in rules_by_item.items()]
    problems = {f"{item.id}.{name}": message for item, rules in chosen
                for name, message in item_rule_problems(item, rules).items()}
    if problems:
        raise ValidationFailed("supplies.invalid_rules", "领取限额填写有误，请按提示修改。",
                               details=problems)
    for item, rules in chosen:
        _apply_item_rules(staff, item, rules)
    db.session.flush()
    return [item for item, _rules in chosen]
