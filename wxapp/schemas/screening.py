"""A pre-pregnancy check clinic as residents see it; the staff view adds to it."""
from __future__ import annotations

from marshmallow import Schema, fields


class ClinicSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    phone = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
