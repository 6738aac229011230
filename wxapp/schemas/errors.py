"""The one error body every JSON endpoint answers with (wxapp.web.errors renders it), as the
OpenAPI document declares it: a client generated from the document reads ``error.code``."""
from __future__ import annotations

from marshmallow import Schema, fields


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={
        "description": "Stable machine-readable code, e.g. booking.already_cancelled"})
    message = fields.String(required=True, metadata={
        "description": "Simplified Chinese, for the resident or staff member to read"})
    details = fields.Raw(metadata={
        "description": "Validation failures: field name to Chinese message(s), nested as the "
                       "request was; absent when there is nothing to add"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
