"""Messages a resident leaves for staff (转人工, 请村里代办) and their answers."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.schemas.base import StrictSchema
from wxapp.services.chat import handovers
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.idempotency import idempotent

blp = Blueprint("handovers", __name__, url_prefix="/me/handovers",
                description="Messages for staff (hand-over)")

# Where the message was written, for staff: both the mini-program and the resident pages.
CHANNEL = "app"


class HandoverRequestSchema(StrictSchema):
    message = fields.String(required=True, validate=validate.Length(
        min=1, max=handovers.MAX_MESSAGE_CHARS))
    purpose = fields.String(load_default="question", validate=validate.OneOf(handovers.PURPOSES),
                            metadata={"description": "question: for the township office; "
                                      "filing_help (请村里代办): for the workers of village_id."})
    village_id = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=1, max=2**31 - 1))


class MyHandoverSchema(Schema):
    id = fields.Integer()
    message = fields.String()
    purpose = fields.String(validate=validate.OneOf(handovers.PURPOSES))
    village_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": ["open", "answered"]})
    answer = fields.String(allow_none=True)
    created_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)


@blp.post("")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@resident_required
@idempotent
@blp.arguments(HandoverRequestSchema)
@blp.response(201, MyHandoverSchema)
def leave_message(body):
    """Leave a message for staff (转人工), e.g. when the bot cannot answer or to ask the
    village to file for her (请村里代办); the answer appears in GET /me/handovers."""
    return handovers.leave_message(g.resident, CHANNEL, body["message"],
                                   purpose=body["purpose"], village_id=body["village_id"])


@blp.get("")
@blp.response(200, MyHandoverSchema(many=True))
@resident_required
def mine():
    """The resident's messages for staff and their answers, newest first."""
    return handovers.list_for_resident(g.resident)
