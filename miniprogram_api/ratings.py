"""Rating finished services (好差评): one tap, an optional comment, an appeal of the handling."""
from __future__ import annotations

from flask import g

from wxapp.schemas.ratings import (
    AppealRequestSchema,
    PendingRatingSchema,
    RatingRequestSchema,
    RatingSchema,
)
from wxapp.services import ratings
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.idempotency import idempotent

blp = Blueprint("ratings", __name__, url_prefix="/me/ratings",
                description="Ratings of finished services")


@blp.get("/pending")
@blp.response(200, PendingRatingSchema(many=True))
@resident_required
def pending():
    """Finished services of the last 90 days she has not rated yet."""
    return ratings.pending_for(g.resident)


@blp.get("")
@blp.response(200, RatingSchema(many=True))
@resident_required
def mine():
    """Her ratings, with the office's call-back on a poor one."""
    return ratings.ratings_of(g.resident)


@blp.post("")
@resident_required
@idempotent
@blp.arguments(RatingRequestSchema)
@blp.response(201, RatingSchema)
def rate(body):
    """Rate a finished service once; 不满意 or 非常不满意 asks the office to call back."""
    return ratings.rate(g.resident, body["subject"], body["score"], body["comment"])


@blp.post("/<int:rating_id>/appeal")
@resident_required
@blp.arguments(AppealRequestSchema)
@blp.response(200, RatingSchema)
def appeal(body, rating_id):
    """Appeal the office's handling of a poor rating (once)."""
    return ratings.appeal(g.resident, rating_id, body["text"])
