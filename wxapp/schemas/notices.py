"""Notices as residents list them, and as staff see their delivery."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from wxapp.models.notices import NOTICE_CHANNELS
from wxapp.schemas.base import StrictSchema


class ResidentNoticeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    text = fields.String()
    link = fields.String(allow_none=True, metadata={
        "description": "The mini-program page that shows the matter, if any."})
    created_at = fields.DateTime()
    read = fields.Function(lambda notice: notice.read_at is not None)


class ResidentNoticePageSchema(Schema):
    items = fields.List(fields.Nested(ResidentNoticeSchema))
    unread = fields.Integer()
    total = fields.Integer()
    page = fields.Integer()


class NoticePageQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class SmsConsentRequestSchema(StrictSchema):
    consent = fields.Boolean(required=True)


class SmsConsentSchema(Schema):
    sms_consent = fields.Boolean()
    phone = fields.String(allow_none=True, metadata={"description": "Masked."})


class DeliveryAttemptSchema(Schema):
    channel = fields.String(validate=validate.OneOf(NOTICE_CHANNELS))
    status = fields.String()
    code = fields.String(allow_none=True)
    at = fields.DateTime()


class NoticeDeliverySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    created_at = fields.DateTime()
    delivered_via = fields.String(allow_none=True, validate=validate.OneOf(NOTICE_CHANNELS))
    delivered_at = fields.DateTime(allow_none=True)
    read = fields.Boolean()
    attempts = fields.List(fields.Nested(DeliveryAttemptSchema))


class DiscreetNoticeDeliverySchema(Schema):
    """A pickup's notices: the kind and the channels only (a title could name what she took)."""
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.DateTime()
    delivered_via = fields.String(allow_none=True, validate=validate.OneOf(NOTICE_CHANNELS))
    delivered_at = fields.DateTime(allow_none=True)
    read = fields.Boolean()
    attempts = fields.List(fields.Nested(DeliveryAttemptSchema))
