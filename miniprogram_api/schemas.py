"""Request and response shapes shared across the mini-program API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from wxapp.web.bounds import MaxEntries


class StrictSchema(Schema):
    class Meta:
        # Unknown fields are an error, not silently dropped: a typo in a field name must not
        # turn into "the resident never gave that information".
        unknown = "raise"


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class LoginRequestSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True)


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


class MeSchema(Schema):
    id = fields.Integer()
    follows_official_account = fields.Boolean()
    subscribe_grants = fields.List(fields.Nested(SubscribeGrantSchema))
