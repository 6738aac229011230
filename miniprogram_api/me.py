"""The signed-in resident's own resources: always /me, never an id in the URL."""
from __future__ import annotations

from flask import g

from miniprogram_api.schemas import MeSchema, SubscribeGrantRequestSchema, SubscribeGrantSchema
from wxapp.services import notifications
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.idempotency import idempotent

blp = Blueprint("me", __name__, url_prefix="/me", description="The signed-in resident")


@blp.get("")
@blp.response(200, MeSchema)
@resident_required
def me():
    """The signed-in resident and her subscribe-message grants."""
    return {
        "id": g.resident.id,
        "follows_official_account": g.resident.follows_official_account,
        "subscribe_grants": notifications.grants_of(g.resident),
    }


@blp.post("/subscribe-grants")
@resident_required
@idempotent
@blp.arguments(SubscribeGrantRequestSchema)
@blp.response(200, SubscribeGrantSchema(many=True))
def record_grants(body):
    """Tell the server what the resident accepted in wx.requestSubscribeMessage."""
    return notifications.record_grants(g.resident, body["results"])
