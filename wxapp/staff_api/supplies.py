"""The staff side of free contraceptives: stock ledger, points, tasks, guidance, reports."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.formats.spreadsheets import Chart, Sheet
from wxapp.schemas.base import StrictSchema
from wxapp.schemas.notices import DiscreetNoticeDeliverySchema
from wxapp.services import notice_deliveries
from wxapp.services.supplies import dispense_checks, ledger
from wxapp.services.supplies import reports as supply_reports
from wxapp.services.supplies import staff_queries as views
from wxapp.services.supplies import tasks as supply_tasks
from wxapp.staff_api.schemas import ReportQuerySchema
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import table_download
from wxapp.web.idempotency import idempotent
from wxapp.web.openapi import ROWS, report_answer

blp = Blueprint("staff_supplies", __name__, url_prefix="/supplies",
                description="Free contraceptives: stock and points")
STOCK_KEEPERS = ledger.LEDGER_STAFF
GUIDES = views.GUIDES


class ItemQuantitySchema(StrictSchema):
    item_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))


class ReceiptSchema(ItemQuantitySchema):
    batch_no = fields.String(required=True, validate=validate.Length(min=1, max=32))
    expires_on = fields.Date(required=True)


class IssueSchema(ItemQuantitySchema):
    point_id = fields.Integer(required=True)


class TransferSchema(ItemQuantitySchema):
    from_point_id = fields.Integer(required=True)
    to_point_id = fields.Integer(required=True)


class LossSchema(StrictSchema):
    point_id = fields.Integer(required=True)
    batch_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class StockTakeSchema(StrictSchema):
    point_id = fields.Integer(required=True)
    batch_id = fields.Integer(required=True)
    counted = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ThresholdSchema(StrictSchema):
    low_threshold = fields.Integer(required=True, validate=validate.Range(min=0, max=10000))


class GuidanceSchema(StrictSchema):
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=24))
    item_id = fields.Integer(required=True)


class ItemRulesSchema(StrictSchema):
    per_pickup_limit = fields.Integer(validate=validate.Range(min=1, max=1000))
    interval_days = fields.Integer(validate=validate.Range(min=0, max=366))
    yearly_limit = fields.Integer(validate=validate.Range(min=1, max=100_000))
    needs_guidance = fields.Boolean()
    active = fields.Boolean()


class ItemSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    category = fields.String()
    unit = fields.String()
    per_pickup_limit = fields.Integer()
    interval_days = fields.Integer()
    yearly_limit = fields.Integer()
    needs_guidance = fields.Boolean()
    active = fields.Boolean()


class TaskQuerySchema(StrictSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "done"]))
    kind = fields.String()


class PointSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    address = fields.String()
    status = fields.String()
    village_id = fields.Integer(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)


class TaskSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    point_id = fields.Integer(allow_none=True)
    pickup_id = fields.Integer(allow_none=True)
    detail = fields.String()
    created_at = fields.DateTime()


class StaffPickupSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    created_at = fields.DateTime()
    items = fields.Method("lines")
    follow_up_answer = fields.String(allow_none=True)

    def lines(self, pickup):
        return [{"item": line.item.name, "quantity": line.quantity} for line in pickup.lines]


class BatchSchema(Schema):
    batch_id = fields.Integer()
    batch_no = fields.String()
    expires_on = fields.Date()
    quantity = fields.Integer()
    near_expiry = fields.Boolean()


class StockLineSchema(Schema):
    item_id = fields.Integer()
    item = fields.String()
    unit = fields.String()
    on_hand = fields.Integer()
    held = fields.Integer()
    available = fields.Integer()
    low_threshold = fields.Integer(allow_none=True)
    reported_quantity = fields.Integer(allow_none=True)
    batches = fields.List(fields.Nested(BatchSchema))


class StockSchema(Schema):
    point_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    items = fields.List(fields.Nested(StockLineSchema))


class ThresholdResultSchema(Schema):
    point_id = fields.Integer()
    item_id = fields.Integer()
    low_threshold = fields.Integer()


class ReceiptResultSchema(Schema):
    batch_id = fields.Integer()
    batch_no = fields.String()
    expires_on = fields.Date()


class LossResultSchema(Schema):
    recorded = fields.Integer()


class StockTakeResultSchema(Schema):
    difference = fields.Integer()


class GuidanceResultSchema(Schema):
    item_id = fields.Integer()
    recorded_at = fields.DateTime()


class MovedSchema(Schema):
    moved = fields.List(fields.Dict())


def _moved(taken) -> dict:
    return {"moved": [{"batch_id": t.batch_id, "quantity": t.quantity} for t in taken]}


@blp.get("/items")
@blp.response(200, ItemSchema(many=True))
@staff_required()
def items():
    """The supply items (contraceptives) and their codes."""
    return views.items()


@blp.put("/items/<int:item_id>")
@staff_required("township_admin")
@blp.arguments(ItemRulesSchema)
@blp.response(200, ItemSchema)
def item_rules(body, item_id):
    """Per-person quotas (each pickup, days between pickups, a calendar year) and whether a
    doctor must explain first use before cabinets offer it."""
    return views.set_item_rules(g.staff, item_id, body)


@blp.get("/points")
@blp.response(200, PointSchema(many=True))
@staff_required()
def points():
    """Supply points in the staff member's scope."""
    return views.points_for(g.staff)


@blp.get("/points/<int:point_id>/stock")
@staff_required()
@blp.alt_response(200, schema=StockSchema, success=True)
def stock(point_id):
    """A point's stock by item and batch."""
    return ledger.stock_at(g.staff, point_id)


@blp.put("/points/<int:point_id>/items/<int:item_id>/threshold")
@staff_required(*STOCK_KEEPERS)
@blp.alt_response(200, schema=ThresholdResultSchema, success=True)
@blp.arguments(ThresholdSchema)
def threshold(body, point_id, item_id):
    """Set a point's low-stock threshold for an item."""
    row = views.set_threshold(g.staff, point_id, item_id, body["low_threshold"])
    return {"point_id": row.point_id, "item_id": row.item_id, "low_threshold": row.low_threshold}


@blp.get("/points/<int:point_id>/pickups")
@blp.response(200, StaffPickupSchema(many=True))
@staff_required("township_admin", "village_worker")
def pickups(point_id):
    """A point's recent pickups."""
    return views.pickups_at(g.staff, point_id)


@blp.get("/pickups/<int:pickup_id>/notices")
@blp.response(200, DiscreetNoticeDeliverySchema(many=True))
@staff_required("township_admin", "village_worker")
def pickup_notices(pickup_id):
    """Which channel reached the resident with each notice about a pickup (kind and channel
    only), for the staff who may read the point's pickups."""
    return notice_deliveries.about_pickup(g.staff, pickup_id)


@blp.post("/receipts")
@staff_required("township_admin")
@blp.alt_response(201, schema=ReceiptResultSchema, success=True)
@idempotent
@blp.arguments(ReceiptSchema)
def receipt(body):
    """Record stock received at a point."""
    batch = ledger.receive(g.staff, body["item_id"], body["batch_no"], body["expires_on"],
                           body["quantity"])
    return {"batch_id": batch.id, "batch_no": batch.batch_no,
            "expires_on": batch.expires_on.isoformat()}, 201


@blp.post("/issues")
@staff_required(*STOCK_KEEPERS)
@idempotent
@blp.arguments(IssueSchema)
@blp.response(201, MovedSchema)
def issue(body):
    """Record stock issued from a point."""
    return _moved(ledger.issue(g.staff, body["point_id"], body["item_id"], body["quantity"]))


@blp.post("/transfers")
@staff_required(*STOCK_KEEPERS)
@idempotent
@blp.arguments(TransferSchema)
@blp.response(201, MovedSchema)
def transfer(body):
    """Move stock from one point to another."""
    return _moved(ledger.transfer(g.staff, body["from_point_id"], body["to_point_id"],
                                  body["item_id"], body["quantity"]))


@blp.post("/losses")
@staff_required(*STOCK_KEEPERS)
@blp.alt_response(201, schema=LossResultSchema, success=True)
@idempotent
@blp.arguments(LossSchema)
def loss(body):
    """Record stock lost, damaged or expired."""
    ledger.record_loss(g.staff, body["point_id"], body["batch_id"], body["quantity"],
                       body["reason"])
    return {"recorded": body["quantity"]}, 201


@blp.post("/stock-takes")
@staff_required(*STOCK_KEEPERS)
@blp.alt_response(201, schema=StockTakeResultSchema, success=True)
@idempotent
@blp.arguments(StockTakeSchema)
def stock_take(body):
    """Record a stock take (counted quantities)."""
    difference = ledger.adjust_to_count(g.staff, body["point_id"], body["batch_id"],
                                        body["counted"], body["reason"])
    return {"difference": difference}, 201


@blp.post("/guidance")
@staff_required(*GUIDES)
@blp.alt_response(201, schema=GuidanceResultSchema, success=True)
@idempotent
@blp.arguments(GuidanceSchema)
def guidance(body):
    """Record contraceptive guidance given to a resident (by ID number)."""
    record = views.record_guidance(g.staff, body["id_number"], body["item_id"])
    return {"item_id": record.item_id, "recorded_at": record.created_at.isoformat()}, 201


@blp.get("/tasks")
@staff_required()
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskSchema(many=True))
def tasks(query):
    """Supply tasks in the staff member's scope, by status and kind."""
    return supply_tasks.tasks_for(g.staff, query["status"], query.get("kind"))


@blp.post("/tasks/<int:task_id>/done")
@blp.response(200, TaskSchema)
@staff_required()
def task_done(task_id):
    """Close a supply task."""
    return supply_tasks.close_task(g.staff, task_id)


class DispenseCheckSchema(StrictSchema):
    dispensed = fields.Boolean(required=True)


class DispenseCheckAnswerSchema(Schema):
    task_id = fields.Integer()
    pickup_id = fields.Integer()
    pickup_status = fields.String()
    settled_by = fields.String()


@blp.post("/tasks/<int:task_id>/dispense-check")
@staff_required(*STOCK_KEEPERS)
@blp.arguments(DispenseCheckSchema)
@blp.response(200, DispenseCheckAnswerSchema)
def dispense_check(body, task_id):
    """Answer for a cabinet that never reported: did the items come out?"""
    return dispense_checks.answer(g.staff, task_id, body["dispensed"])


@blp.get("/report")
@staff_required("township_admin", "village_worker")
@report_answer(blp, ROWS, description="One row per village and item")
@blp.arguments(ReportQuerySchema, location="query")
def report(query):
    """Monthly distribution for the county report (JSON, CSV or XLSX)."""
    rows = supply_reports.monthly_distribution(g.staff, query["month"])
    # Units differ between items (只, 板, 支): the chart counts pickups, the table both.
    per_item = Sheet("按药具汇总", supply_reports.ITEM_COLUMNS, supply_reports.by_item(rows),
                     Chart("各药具发放人次", "药具", bars=("发放人次",), y_title="人次"))
    return table_download(query["format"], supply_reports.COLUMNS, rows,
                          f"contraceptives-{query['month']}", f"药具发放{query['month']}",
                          summaries=(per_item,))
