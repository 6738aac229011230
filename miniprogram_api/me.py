"""The signed-in resident's own resources: always /me, never an id in the URL."""
from __future__ import annotations

from flask import g

from miniprogram_api.schemas import MeSchema, SubscribeGrantRequestSchema, SubscribeGrantSchema
from wxapp.schemas.notices import (
    NoticePageQuerySchema,
    ResidentNoticePageSchema,
    ResidentNoticeSchema,
    SmsConsentRequestSchema,
    SmsConsentSchema,
)
from wxapp.services import notifications, resident_notices
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
        "notice_templates": notifications.notice_templates(),
    }


@blp.post("/subscribe-grants")
@resident_required
@idempotent
@blp.arguments(SubscribeGrantRequestSchema)
@blp.response(200, SubscribeGrantSchema(many=True))
def record_grants(body):
    """Tell the server what the resident accepted in wx.requestSubscribeMessage."""
    return notifications.record_grants(g.resident, body["results"])


@blp.get("/notices")
@resident_required
@blp.arguments(NoticePageQuerySchema, location="query")
@blp.response(200, ResidentNoticePageSchema)
def notices(query):
    """Her notices, newest first: every decision, reminder and reply, whichever channel (if
    any) also reached her phone."""
    return resident_notices.notices_of(g.resident, query["page"])


@blp.post("/notices/<int:notice_id>/read")
@blp.response(200, ResidentNoticeSchema)
@resident_required
def read_notice(notice_id):
    """Mark one notice read (again: no change)."""
    return resident_notices.mark_read(g.resident, notice_id)


@blp.get("/sms-consent")
@blp.response(200, SmsConsentSchema)
@resident_required
def sms_consent():
    """Whether she agreed to text messages when WeChat cannot reach her, and the (masked)
    number they go to."""
    return resident_notices.sms_consent_of(g.resident)


@blp.put("/sms-consent")
@resident_required
@blp.arguments(SmsConsentRequestSchema)
@blp.response(200, SmsConsentSchema)
def set_sms_consent(body):
    """Agree to (or stop) text messages to the number she gave in a form."""
    return resident_notices.set_sms_consent(g.resident, body["consent"])
