"""Free contraceptives from the mini-program: nearby points, pickup codes, history, feedback."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from wxapp.models.supplies import PICKUP_STATUSES, POINT_KINDS, POINT_STATUSES, SERVICE_MODES
from wxapp.schemas.base import StrictSchema
from wxapp.services.supplies import feedback, pickups
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.idempotency import idempotent

blp = Blueprint("supplies", __name__, url_prefix="", description="Free contraceptives")


class NearbyQuerySchema(StrictSchema):
    """Either a location (latitude and longitude: the nearest points first) or a village
    (``village_id`` from GET /regions: that village's points, for a resident who would rather
    not share where she is)."""
    latitude = fields.Float(validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(validate=validate.Range(min=-180, max=180))
    village_id = fields.Integer(validate=validate.Range(min=1))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))

    @validates_schema
    def _location_or_village(self, data, **kwargs):
        has_location = "latitude" in data and "longitude" in data
        if ("latitude" in data) != ("longitude" in data):
            raise ValidationError("经度和纬度要一起提供。", field_name="latitude")
        if has_location == ("village_id" in data):
            raise ValidationError("请提供所在位置（经纬度）或选择村。", field_name="village_id")


class PointItemSchema(Schema):
    # An item is ``item_id`` wherever a resident's client names one (POST /me/pickups too);
    # ``item_code`` is its catalogue code, never to be confused with a pickup's ``code``.
    item_id = fields.Integer()
    item_code = fields.String()
    name = fields.String()
    unit = fields.String()
    per_pickup_limit = fields.Integer()
    availability = fields.String(validate=validate.OneOf(["available", "low", "out"]))


class NearbyPointSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(POINT_KINDS))
    address = fields.String()
    hours = fields.String()
    open_now = fields.Boolean()
    # When closed now: when it next opens, as a resident reads it ("明天（周一）08:00至17:00").
    next_opening = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(POINT_STATUSES))
    latitude = fields.Float()
    longitude = fields.Float()
    village_id = fields.Integer(allow_none=True)
    # Metres from the location asked about; null when listed by village.
    distance_m = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(PointItemSchema))


class WantedSchema(StrictSchema):
    item_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))


class PickupRequestSchema(StrictSchema):
    point_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(WantedSchema), required=True,
                        validate=validate.Length(min=1, max=10))


class PickupLineSchema(Schema):
    item_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()


class PickupSchema(Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(PICKUP_STATUSES))
    point_id = fields.Integer()
    point = fields.String()
    address = fields.String()
    code = fields.String(allow_none=True)
    qr_payload = fields.String(allow_none=True)
    expires_at = fields.DateTime()
    # Set when the code was asked for while the point was closed: the opening it is kept for.
    usable_from = fields.DateTime(allow_none=True)
    when_to_come = fields.String(allow_none=True)
    created_at = fields.DateTime()
    items = fields.List(fields.Nested(PickupLineSchema))
    follow_up_answer = fields.String(allow_none=True,
                                     validate=validate.OneOf(list(feedback.FOLLOW_UP_ANSWERS)))


class FollowUpSchema(StrictSchema):
    answer = fields.String(required=True,
                           validate=validate.OneOf(list(feedback.FOLLOW_UP_ANSWERS)))


class PointReportSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(list(feedback.REPORT_KINDS)))
    note = fields.String(validate=validate.Length(max=200))


class PointReportResultSchema(Schema):
    point_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(list(feedback.REPORT_KINDS)))


class PreferenceSchema(StrictSchema):
    mode = fields.String(required=True, validate=validate.OneOf(SERVICE_MODES))
    note = fields.String(allow_none=True, validate=validate.Length(max=200))


class PreferenceViewSchema(Schema):
    mode = fields.String(allow_none=True, validate=validate.OneOf(SERVICE_MODES))
    note = fields.String(allow_none=True)


@blp.get("/supply-points")
@resident_required
@blp.arguments(NearbyQuerySchema, location="query")
@blp.response(200, NearbyPointSchema(many=True))
def nearby(query):
    """Supply points, nearest first from a location, or those of a village."""
    if "village_id" in query:
        return pickups.points_of_village(g.resident, query["village_id"], query["limit"])
    return pickups.nearby(g.resident, query["latitude"], query["longitude"], query["limit"])


@blp.post("/supply-points/<int:point_id>/reports")
@resident_required
@idempotent
@blp.arguments(PointReportSchema)
@blp.response(201, PointReportResultSchema)
def report_point(body, point_id):
    """Report a problem at a supply point (empty, closed, broken)."""
    return feedback.report_point(g.resident, point_id, body["kind"], body.get("note"))


@blp.post("/me/pickups")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@resident_required
@idempotent
@blp.arguments(PickupRequestSchema)
@blp.response(201, PickupSchema)
def request_pickup(body):
    """Ask for a pickup code for free contraceptives."""
    wanted = [pickups.Wanted(w["item_id"], w["quantity"]) for w in body["items"]]
    return pickups.as_view(pickups.request_pickup(g.resident, body["point_id"], wanted))


@blp.get("/me/pickups")
@blp.response(200, PickupSchema(many=True))
@resident_required
def history():
    """The resident's pickup codes, newest first."""
    return [pickups.as_view(p) for p in pickups.history(g.resident)]


@blp.get("/me/pickups/<int:pickup_id>")
@blp.response(200, PickupSchema)
@resident_required
def one(pickup_id):
    """One of the resident's pickup codes."""
    return pickups.as_view(pickups.get_mine(g.resident, pickup_id))


@blp.post("/me/pickups/<int:pickup_id>/cancel")
@blp.response(200, PickupSchema)
@resident_required
def cancel(pickup_id):
    """Cancel a pickup code that has not been redeemed."""
    return pickups.as_view(pickups.cancel(g.resident, pickup_id))


@blp.post("/me/pickups/<int:pickup_id>/follow-up")
@resident_required
@blp.arguments(FollowUpSchema)
@blp.response(200, PickupSchema)
def follow_up(body, pickup_id):
    """Answer how a pickup went."""
    return pickups.as_view(feedback.answer_follow_up(g.resident, pickup_id, body["answer"]))


@blp.get("/me/supply-preference")
@blp.response(200, PreferenceViewSchema)
@resident_required
def get_preference():
    """How the resident prefers to receive supplies; mode is null until she chooses."""
    return feedback.preference_of(g.resident) or {"mode": None, "note": None}


@blp.put("/me/supply-preference")
@resident_required
@blp.arguments(PreferenceSchema)
@blp.response(200, PreferenceViewSchema)
def set_preference(body):
    """Choose how the resident prefers to receive supplies."""
    return feedback.set_preference(g.resident, body["mode"], body.get("note"))
