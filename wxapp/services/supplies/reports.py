"""Monthly distribution of free contraceptives per village, point and item, for the county
report. Aggregates of the ledger only: no person appears in it."""
from __future__ import annotations

from sqlalchemy import case, func, select

from wxapp.extensions import db
from wxapp.formats.spreadsheets import month_bounds
from wxapp.models import StaffUser, StockMovement, SupplyItem, SupplyPoint, Village
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit

COLUMNS = ["村/社区", "发放点", "药具", "单位", "发放数量", "发放人次", "补货数量", "报损数量"]
ITEM_COLUMNS = ["药具", "单位", "发放数量", "发放人次"]


def monthly_distribution(staff: StaffUser, month: str) -> list[dict]:
    start, end = month_bounds(month)
    # An issue belongs to the point it went to; a dispense or a loss to the point it left.
    point_of = case((StockMovement.kind == "issue", StockMovement.to_point_id),
                    else_=StockMovement.from_point_id)
    query = (select(SupplyPoint.id, StockMovement.item_id, StockMovement.kind,
                    func.sum(StockMovement.quantity),
                    func.count(func.distinct(StockMovement.pickup_id)))
             .join(SupplyPoint, SupplyPoint.id == point_of)
             .where(StockMovement.created_at >= start, StockMovement.created_at < end,
                    StockMovement.kind.in_(("dispense", "issue", "loss")),
                    SupplyPoint.kind != "store")
             .group_by(SupplyPoint.id, StockMovement.item_id, StockMovement.kind))
    query = scoped(query, staff, SupplyPoint.township_id, SupplyPoint.village_id)
    points = {p.id: p for p in db.session.scalars(select(SupplyPoint))}
    items = {i.id: i for i in db.session.scalars(select(SupplyItem))}
    villages = {v.id: v.name for v in db.session.scalars(select(Village))}
    rows: dict[tuple, dict] = {}
    for point_id, item_id, kind, quantity, pickups in db.session.execute(query):
        point, item = points[point_id], items[item_id]
        row = rows.setdefault((villages.get(point.village_id, "镇级"), point.name, item.name), {
            "村/社区": villages.get(point.village_id, "镇级"), "发放点": point.name,
            "药具": item.name, "单位": item.unit, "发放数量": 0, "发放人次": 0, "补货数量": 0,
            "报损数量": 0})
        if kind == "dispense":
            row["发放数量"] += int(quantity)
            row["发放人次"] += int(pickups)
        elif kind == "issue":
            row["补货数量"] += int(quantity)
        else:
            row["报损数量"] += int(quantity)
    record_audit(Actor("staff", str(staff.id)), "supplies.report", "stock_movement", None,
                 {"month": month})
    return [rows[key] for key in sorted(rows)]


def by_item(rows: list[dict]) -> list[dict]:
    """The month's dispensing per item across all points (the county's first question)."""
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row["药具"], {"药具": row["药具"], "单位": row["单位"],
                                               "发放数量": 0, "发放人次": 0})
        total["发放数量"] += row["发放数量"]
        total["发放人次"] += row["发放人次"]
    return [totals[name] for name in sorted(totals)]


def pickups_by_point(staff: StaffUser, month: str) -> list[dict]:
    """Pickups given out at each point in scope during ``month`` (China time), points with
    none included; a pickup of two items counts once. The warehouse gives nothing to people
    and is left out. Counts only, for the dashboard: not audited as the county report is."""
    start, end = month_bounds(month)
    counted = dict(db.session.execute(
        select(StockMovement.from_point_id, func.count(func.distinct(StockMovement.pickup_id)))
        .where(StockMovement.kind == "dispense", StockMovement.created_at >= start,
               StockMovement.created_at < end, StockMovement.pickup_id.is_not(None))
        .group_by(StockMovement.from_point_id)).all())
    points = db.session.scalars(scoped(
        select(SupplyPoint).where(SupplyPoint.kind != "store", SupplyPoint.active.is_(True)),
        staff, SupplyPoint.township_id, SupplyPoint.village_id).order_by(SupplyPoint.code))
    return [{"point_id": point.id, "point": point.name, "pickups": int(counted.get(point.id, 0))}
            for point in points]
