"""Messages to residents through WeChat: subscribe messages (mini-program, needs a one-time
grant per template) and customer-service messages (official account, after the resident
wrote to us).

Sends run as background jobs after the commit of whatever caused them, so a slow or failing
WeChat never blocks a decision; a failed send is retried by the queue.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from wechatpy.exceptions import WeChatClientException

from wxapp.errors import ValidationFailed
from wxapp.extensions import db
from wxapp.jobs import enqueue_after_commit
from wxapp.jobs.context import job
from wxapp.models import OutboundMessage, Resident, SubscribeGrant
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


def notify_by_subscribe_message(resident_id: int, template_id: str, data: dict[str, str],
                                page: str | None, purpose: str) -> None:
    enqueue_after_commit(send_subscribe_message, resident_id, template_id, data, page, purpose)


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


@job
def send_subscribe_message(resident_id: int, template_id: str, data: dict[str, str],
                           page: str | None, purpose: str) -> str:
    resident = db.session.get(Resident, resident_id)
    if resident is None or not resident.mp_openid:
        return _record(resident_id, "subscribe", template_id, purpose, "no_recipient")
    if not _take_grant(resident_id, template_id):
        return _record(resident_id, "subscribe", template_id, purpose, "no_grant")
    try:
        miniprogram_client().wxa.send_subscribe_message(
            resident.mp_openid, template_id, fit_subscribe_data(data), page
        )
    except WeChatClientException as exc:
        if exc.errcode == 43101:
            # The resident's grant is gone on WeChat's side (or never reached us): normal.
            db.session.execute(update(SubscribeGrant).where(
                SubscribeGrant.resident_id == resident_id,
                SubscribeGrant.template_id == template_id).values(remaining=0))
            return _record(resident_id, "subscribe", template_id, purpose, "no_grant", 43101)
        if exc.errcode in TRANSIENT_ERRCODES:
            _give_back_grant(resident_id, template_id)
            _record(resident_id, "subscribe", template_id, purpose, "retrying", exc.errcode)
            db.session.commit()
            raise TransientSendError(f"subscribe send failed with {exc.errcode}") from exc
        log.error("subscribe message %s refused: %s", template_id, exc)
        return _record(resident_id, "subscribe", template_id, purpose, "failed", exc.errcode)
    return _record(resident_id, "subscribe", template_id, purpose, "sent")


@job
def send_customer_service_text(oa_openid: str, text: str, purpose: str) -> str:
    resident = db.session.scalars(select(Resident).filter_by(oa_openid=oa_openid)).first()
    resident_id = resident.id if resident else None
    try:
        official_account_client().message.send_text(oa_openid, text)
    except WeChatClientException as exc:
        if exc.errcode in TRANSIENT_ERRCODES:
            raise TransientSendError(f"customer-service send failed with {exc.errcode}") from exc
        # 45015: the resident has not written to us for 48 hours; nothing to retry.
        return _record(resident_id, "customer_service", None, purpose, "failed", exc.errcode)
    return _record(resident_id, "customer_service", None, purpose, "sent")


def _record(resident_id, channel, template_id, purpose, status, errcode=None) -> str:
    db.session.add(OutboundMessage(resident_id=resident_id, channel=channel,
                                   template_id=template_id, purpose=purpose, status=status,
                                   errcode=errcode))
    return status
