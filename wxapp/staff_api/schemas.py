"""Request shapes shared by several parts of the staff API."""
from __future__ import annotations

from marshmallow import fields, validate

from wxapp.schemas.base import StrictSchema


class ReportQuerySchema(StrictSchema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))
