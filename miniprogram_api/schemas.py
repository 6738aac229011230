"""Request and response shapes of the mini-program's own endpoints (login, /me)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from wxapp.schemas.base import StrictSchema
from wxapp.web.bounds import MaxEntries


class LoginRequestSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class SubscribeGrantRequestSchema(StrictSchema):
    # What wx.requestSubscribeMessage resolved with: template id -> accept / reject / ban.
    # WeChat asks for at most 3 templates in one call.
    results = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=64)),
                          values=fields.String(validate=validate.OneOf(
                              ["accept", "reject", "ban", "filter"])),
                          required=True, validate=MaxEntries(3))


class SubscribeGrantSchema(Schema):
    template_id = fields.String()
    remaining = fields.Integer()


class NoticeTemplatesSchema(Schema):
    """Which subscribe-message template to ask for (wx.requestSubscribeMessage) at the moment
    she acts, so that the next notice about it can reach her: one grant, one message."""
    registration_result = fields.String(metadata={
        "description": "Ask when she submits or fixes a birth registration."})
    screening_notice = fields.String(metadata={
        "description": "Ask when she books, moves or joins the waitlist for a check."})
    pickup_follow_up = fields.String(metadata={
        "description": "Ask when she takes a pickup code."})


class MeSchema(Schema):
    id = fields.Integer()
    follows_official_account = fields.Boolean()
    subscribe_grants = fields.List(fields.Nested(SubscribeGrantSchema))
    notice_templates = fields.Nested(NoticeTemplatesSchema)
