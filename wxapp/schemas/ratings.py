"""Ratings (好差评) as residents give them and as staff see them."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from wxapp.models.ratings import CALLBACK_STATUSES, RATED_SERVICES, SCORE_LABELS
from wxapp.schemas.base import StrictSchema

SCORE_DESCRIPTION = "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."


class RatingRequestSchema(StrictSchema):
    subject = fields.String(required=True, validate=validate.Length(min=3, max=64), metadata={
        "description": "What is rated, as pending ratings list it: registration:12, "
                       "screening:7, pickup:9 or handover:3."})
    score = fields.Integer(required=True, validate=validate.OneOf(sorted(SCORE_LABELS)),
                           metadata={"description": SCORE_DESCRIPTION})
    comment = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=300))


class AppealRequestSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=300))


class RatingSchema(Schema):
    id = fields.Integer()
    service = fields.String(validate=validate.OneOf(RATED_SERVICES))
    subject = fields.String()
    score = fields.Integer(metadata={"description": SCORE_DESCRIPTION})
    score_label = fields.Function(lambda rating: SCORE_LABELS[rating.score])
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()
    callback_status = fields.String(validate=validate.OneOf(CALLBACK_STATUSES))
    callback_due_at = fields.DateTime(allow_none=True)
    callback_note = fields.String(allow_none=True)
    appeal = fields.String(allow_none=True)


class PendingRatingSchema(Schema):
    subject = fields.String()
    service = fields.String(validate=validate.OneOf(RATED_SERVICES))
    service_label = fields.String()
    finished_at = fields.DateTime()


class RatingSummaryRowSchema(Schema):
    service = fields.String(validate=validate.OneOf(RATED_SERVICES))
    service_label = fields.String()
    village_id = fields.Integer(allow_none=True)
    total = fields.Integer()
    by_score = fields.Dict(keys=fields.String(), values=fields.Integer())
    satisfaction_percent = fields.Float(metadata={
        "description": "Share rated 基本满意 or better."})


class MonthQuerySchema(StrictSchema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))


class CallbackRequestSchema(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))
