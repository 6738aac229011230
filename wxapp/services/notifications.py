"""The WeChat channels for notices: subscribe messages (mini-program, one-time grant per
template) and customer-service messages (official account, for 48 hours after the resident
last wrote to it). ``resident_notices`` decides which to try; these only send and say what
came of it.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from wechatpy.exceptions import WeChatClientException

from wxapp.config import settings
from wxapp.errors import ValidationFailed
from wxapp.extensions import db
from wxapp.models import Resident, SubscribeGrant
from wxapp.wechat.client import miniprogram_client, official_account_client

log = logging.getLogger(__name__)

# WeChat rejects a thing.* value longer than 20 characters (47003) and the whole message
# with it; shorten instead of losing the notice.
THING_MAX_CHARS = 20
MAX_STORED_GRANTS = 50
MAX_TEMPLATES_PER_RESIDENT = 20
# Errors where retrying later can succeed.
TRANSIENT_ERRCODES = {-1, 45009, 45011, 40001, 42001, None}


class TransientSendError(RuntimeError):
    pass


def notice_templates() -> dict[str, str]:
    config = settings()
    return {"registration_result": config.registration_result_template_id,
            "screening_notice": config.screening_notice_template_id,
            "pickup_follow_up": config.pickup_follow_up_template_id}


def grants_of(resident: Resident) -> list[dict]:
    rows = db.session.scalars(
        select(SubscribeGrant).filter_by(resident_id=resident.id).order_by(SubscribeGrant.template_id)
    )
    return [{"template_id": row.template_id, "remaining": row.remaining} for row in rows]


def record_grants(resident: Resident, results: dict[str, str]) -> list[dict]:
    known = set(db.session.scalars(
        select(SubscribeGrant.template_id).filter_by(resident_id=resident.id)))
    if len(known | set(results)) > MAX_TEMPLATES_PER_RESIDENT:
        # The service sends a handful of templates; template ids beyond that are invented,
        # and each one would be a row kept forever.
        raise ValidationFailed("subscribe.too_many_templates", "订阅消息模板数量超出上限。")
    for template_id, outcome in results.items():
        grant = db.session.scalars(
            select(SubscribeGrant).filter_by(resident_id=resident.id, template_id=template_id)
        ).first()
        if grant is None:
            grant = SubscribeGrant(resident_id=resident.id, template_id=template_id, remaining=0)
            db.session.add(grant)
        if outcome == "accept":
            grant.remaining = min(MAX_STORED_GRANTS, grant.remaining + 1)
        elif outcome == "ban":
            # "Always reject" in WeChat's settings: nothing we hold can be used any more.
            grant.remaining = 0
    db.session.flush()
    return grants_of(resident)


def fit_subscribe_data(data: dict[str, str]) -> dict[str, dict[str, str]]:
    fitted = {}
    for name, value in data.items():
        text = str(value)
        if name.startswith("thing") and len(text) > THING_MAX_CHARS:
            text = text[: THING_MAX_CHARS - 1] + "…"
        fitted[name] = {"value": text}
    return fitted


def _take_grant(resident_id: int, template_id: str) -> bool:
    # A conditional decrement: two jobs cannot both spend the last grant.
    result = db.session.execute(
        update(SubscribeGrant)
        .where(SubscribeGrant.resident_id == resident_id,
               SubscribeGrant.template_id == template_id,
               SubscribeGrant.remaining > 0)
        .values(remaining=SubscribeGrant.remaining - 1)
    )
    return result.rowcount == 1


def _give_back_grant(resident_id: int, template_id: str) -> None:
    db.session.execute(
        update(SubscribeGrant)
        .where(SubscribeGrant.resident_id == resident_id,
               SubscribeGrant.template_id == template_id)
        .values(remaining=SubscribeGrant.remaining + 1)
    )


def try_subscribe_message(resident: Resident, template_id: str, data: dict[str, str],
                          page: str | None) -> tuple[str, int | None]:
    """(status, WeChat errcode). Raises TransientSendError, grant given back, when a later
    try can succeed."""
    if not resident.mp_openid:
        return "no_recipient", None
    if not _take_grant(resident.id, template_id):
        return "no_grant", None
    try:
        miniprogram_client().wxa.send_subscribe_message(
            resident.mp_openid, template_id, fit_subscribe_data(data), page)
    except WeChatClientException as exc:
        if exc.errcode == 43101:
            # The resident's grant is gone on WeChat's side (or never reached us): normal.
            db.session.execute(update(SubscribeGrant).where(
                SubscribeGrant.resident_id == resident.id,
                SubscribeGrant.template_id == template_id).values(remaining=0))
            return "no_grant", 43101
        if exc.errcode in TRANSIENT_ERRCODES:
            _give_back_grant(resident.id, template_id)
            raise TransientSendError(f"subscribe send failed with {exc.errcode}") from exc
        log.error("subscribe message %s refused: %s", template_id, exc)
        return "failed", exc.errcode
    return "sent", None


# 45015: she has not written to the account for 48 hours; 45047: too many messages in a row
# without a reply from her; 43004: she no longer follows the account.
WINDOW_CLOSED_ERRCODES = {45015, 45047}


def try_customer_service_text(resident: Resident, text: str) -> tuple[str, int | None]:
    # Followers from before this service knew of them have no follow event on record: only a
    # recorded unfollow says she cannot be reached (WeChat answers 43004 for the rest).
    if not resident.oa_openid or (resident.unfollowed_at and not resident.follows_official_account):
        return "no_recipient", None
    try:
        official_account_client().message.send_text(resident.oa_openid, text)
    except WeChatClientException as exc:
        if exc.errcode in WINDOW_CLOSED_ERRCODES:
            return "window_closed", exc.errcode
        if exc.errcode == 43004:
            return "no_recipient", exc.errcode
        if exc.errcode in TRANSIENT_ERRCODES:
            raise TransientSendError(f"customer-service send failed with {exc.errcode}") from exc
        log.error("customer-service message refused: %s", exc)
        return "failed", exc.errcode
    return "sent", None
