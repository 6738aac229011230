"""Satisfaction (好差评) for staff, and the township office's call-backs on poor ratings."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from wxapp.schemas.ratings import (
    CallbackRequestSchema,
    MonthQuerySchema,
    RatingSchema,
    RatingSummaryRowSchema,
)
from wxapp.services import ratings
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint

blp = Blueprint("staff_ratings", __name__, url_prefix="/ratings",
                description="Ratings of services (好差评)")


class CallbackSchema(RatingSchema):
    # The office calls her back; the rated member of staff never gets this list.
    resident_id = fields.Integer()
    appealed_at = fields.DateTime(allow_none=True)


class CallbackListSchema(Schema):
    items = fields.List(fields.Nested(CallbackSchema))


@blp.get("/summary")
@staff_required(*ratings.SUMMARY_ROLES)
@blp.arguments(MonthQuerySchema, location="query")
@blp.response(200, RatingSummaryRowSchema(many=True))
def summary(query):
    """Satisfaction of a month by service and village, within the staff member's area."""
    return ratings.monthly_summary(g.staff, query["month"])


@blp.get("/callbacks")
@staff_required("township_admin")
@blp.response(200, CallbackListSchema)
def callbacks():
    """Poor ratings waiting for the office's call-back (never about the caller's own work)."""
    return {"items": ratings.callbacks_for(g.staff)}


@blp.post("/<int:rating_id>/callback")
@staff_required("township_admin")
@blp.arguments(CallbackRequestSchema)
@blp.response(200, CallbackSchema)
def callback(body, rating_id):
    """Record the call-back and what was put right; the resident is told and may appeal."""
    return ratings.record_callback(g.staff, rating_id, body["note"])
