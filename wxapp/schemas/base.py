"""The base every request schema derives from, and the sign-in answer both logins give."""
from __future__ import annotations

from marshmallow import Schema, fields


class StrictSchema(Schema):
    class Meta:
        # Unknown fields are an error, not silently dropped: a typo in a field name must not
        # turn into "the resident never gave that information".
        unknown = "raise"


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True)
