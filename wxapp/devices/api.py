"""The cabinet's calls. Each one is signed (see wxapp.devices.auth), checked before the body is
read, and maps to one service call; the point comes from the key, never from the body."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.devices.auth import device_required
from wxapp.schemas.base import StrictSchema
from wxapp.services.supplies import cabinets as supply_devices
from wxapp.web.blueprint import Blueprint

blp = Blueprint("devices", __name__, url_prefix="/device/v1",
                description="Self-service cabinets (HMAC-signed)")


class RedeemSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=8, max=40))


class ItemQuantitySchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    quantity = fields.Integer(required=True, validate=validate.Range(min=0, max=10000))


class DispenseSchema(StrictSchema):
    event_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    pickup_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    fault = fields.String(validate=validate.Length(max=200))


class HeartbeatSchema(StrictSchema):
    stock = fields.List(fields.Nested(ItemQuantitySchema), load_default=list,
                        validate=validate.Length(max=50))
    faults = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list,
                         validate=validate.Length(max=10))


class IdCardPickupSchema(StrictSchema):
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=24))
    items = fields.List(fields.Nested(ItemQuantitySchema), required=True,
                        validate=validate.Length(min=1, max=10))


class DispensedLineSchema(Schema):
    code = fields.String()
    name = fields.String()
    quantity = fields.Integer()


class ToDispenseSchema(Schema):
    pickup_id = fields.Integer()
    items = fields.List(fields.Nested(DispensedLineSchema))


class DispenseResultSchema(Schema):
    pickup_id = fields.Integer()
    status = fields.String(metadata={"enum": ["dispensed", "failed"]})


class HeartbeatResultSchema(Schema):
    status = fields.String()
    server_time = fields.DateTime()


@blp.post("/redeem")
@device_required
@blp.alt_response(200, schema=ToDispenseSchema, success=True)
@blp.arguments(RedeemSchema)
def redeem(body):
    """A cabinet redeems a pickup code."""
    return supply_devices.redeem(g.device_point_id, body["code"])


@blp.post("/dispense-results")
@device_required
@blp.alt_response(200, schema=DispenseResultSchema, success=True)
@blp.arguments(DispenseSchema)
def dispense_result(body):
    """A cabinet reports whether it dispensed."""
    return supply_devices.report_dispense(g.device_point_id, body["event_id"],
                                          body["pickup_id"], body["ok"], body.get("fault"))


@blp.post("/heartbeat")
@device_required
@blp.alt_response(200, schema=HeartbeatResultSchema, success=True)
@blp.arguments(HeartbeatSchema)
def heartbeat(body):
    """A cabinet's heartbeat with its stock and faults."""
    return supply_devices.heartbeat(g.device_point_id, body["stock"], body["faults"])


@blp.post("/id-card-pickups")
@device_required
@blp.alt_response(200, schema=ToDispenseSchema, success=True)
@blp.arguments(IdCardPickupSchema)
def id_card_pickup(body):
    """A cabinet's pickup for a resident who shows her ID card."""
    return supply_devices.id_card_pickup(g.device_point_id, body["id_number"], body["items"])
