"""Telling a resident what she must learn, by the first channel that reaches her.

Every notice is kept in her notice list, which the mini-program and the resident pages show
the next time she opens them. After the commit that made it, a job tries these in order and
stops at the first that reaches her phone:

1. a subscribe message, when she holds a grant for the notice's template (one per message);
2. a customer-service message from the official account, which WeChat allows for 48 hours
   after she last wrote to it (errcode 45015 once that window has closed);
3. a text message to the number she gave, when she agreed to be texted there.

Each channel tried leaves a delivery row, so staff see what reached whom. Nothing is sent
twice: the job claims the notice (committed) before sending, a retried job finds it delivered,
and telling the same event again (``dedupe_key``) finds the notice already there.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from wxapp.errors import NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.jobs import enqueue_after_commit
from wxapp.jobs.context import job
from wxapp.models import NoticeDelivery, Resident, ResidentNotice, ResidentProfile
from wxapp.models.base import utcnow
from wxapp.security.masking import mask_phone
from wxapp.services import notifications
from wxapp.sms.configured import sms_provider
from wxapp.sms.provider import RATE_LIMITED, SENT, SmsUnavailable
from wxapp.transactions import commit

log = logging.getLogger(__name__)

# A delivery job that died mid-way (a killed worker) leaves its claim; after this long
# another run may take the notice over.
CLAIM_TIMEOUT = timedelta(minutes=10)
PAGE_SIZE = 20


@dataclass(frozen=True)
class BySubscribe:
    template_id: str
    data: dict[str, str]
    page: str | None = None


@dataclass(frozen=True)
class BySms:
    """``template`` names one of wxapp/sms/templates.py; its words must be discreet."""
    template: str
    params: list[str]


def tell(resident_id: int, kind: str, *, dedupe_key: str, title: str, text: str,
         link: str | None = None, subject: str | None = None,
         subscribe: BySubscribe | None = None, sms: BySms | None = None) -> ResidentNotice:
    """Record the notice and deliver it after the commit. The same ``dedupe_key`` for the
    same resident returns the notice made the first time and sends nothing more."""
    existing = _find(resident_id, dedupe_key)
    if existing is not None:
        return existing
    notice = ResidentNotice(resident_id=resident_id, kind=kind, dedupe_key=dedupe_key,
                            title=title, text=text, link=link, subject=subject)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        # Told at the same moment by another request or job: theirs stands.
        return _find(resident_id, dedupe_key)
    enqueue_after_commit(deliver_notice, notice.id,
                         asdict(subscribe) if subscribe else None,
                         asdict(sms) if sms else None)
    return notice


def _find(resident_id: int, dedupe_key: str) -> ResidentNotice | None:
    return db.session.scalars(select(ResidentNotice).filter_by(
        resident_id=resident_id, dedupe_key=dedupe_key)).first()


# -- delivery ---------------------------------------------------------------------------------
def _claim(notice_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(ResidentNotice)
        .where(ResidentNotice.id == notice_id, ResidentNotice.delivered_via.is_(None),
               or_(ResidentNotice.delivering_since.is_(None),
                   ResidentNotice.delivering_since < now - CLAIM_TIMEOUT))
        .values(delivering_since=now)
        .execution_options(synchronize_session=False)).rowcount
    commit()
    return claimed == 1


def _record(notice: ResidentNotice, channel: str, status: str, code=None) -> None:
    db.session.add(NoticeDelivery(notice_id=notice.id, channel=channel, status=status,
                                  code=None if code is None else str(code)))


@job
def deliver_notice(notice_id: int, subscribe: dict | None, sms: dict | None) -> str:
    """Returns the channel that reached her ("notice_list" when none did), or "" when another
    run has it."""
    if not _claim(notice_id):
        return ""
    notice = db.session.get(ResidentNotice, notice_id)
    resident = db.session.get(Resident, notice.resident_id)
    attempts = (
        ("subscribe", lambda: _by_subscribe(resident, subscribe)),
        ("customer_service", lambda: notifications.try_customer_service_text(
            resident, _chat_text(notice))),
        ("sms", lambda: _by_sms(resident, sms)),
    )
    for channel, attempt in attempts:
        try:
            outcome = attempt()
        except (notifications.TransientSendError, SmsUnavailable) as exc:
            # Retried by the queue from the start: a grant given back may be used then.
            _record(notice, channel, "retrying", str(exc)[:64])
            notice.delivering_since = None
            commit()
            raise
        if outcome is None:
            continue  # the notice does not go out this way at all
        status, code = outcome
        _record(notice, channel, status, code)
        if status == SENT:
            return _delivered(notice, channel)
    _record(notice, "notice_list", "listed")
    return _delivered(notice, "notice_list")


def _delivered(notice: ResidentNotice, channel: str) -> str:
    notice.delivered_via = channel
    notice.delivered_at = utcnow()
    notice.delivering_since = None
    return channel


def _chat_text(notice: ResidentNotice) -> str:
    return f"{notice.title}\n{notice.text}"


def _by_subscribe(resident: Resident, spec: dict | None):
    if spec is None:
        return None
    return notifications.try_subscribe_message(resident, spec["template_id"], spec["data"],
                                               spec.get("page"))


def _by_sms(resident: Resident, spec: dict | None):
    if spec is None:
        return None
    provider = sms_provider()
    if provider is None:
        return "unavailable", None
    profile = _profile(resident.id)
    if profile is None or not profile.phone:
        return "no_phone", None
    if profile.sms_consent_at is None:
        return "no_consent", None
    outcome = provider.send(profile.phone, spec["template"], list(spec["params"]))
    status = outcome.status if outcome.status in (SENT, RATE_LIMITED) else "failed"
    return status, outcome.code


def _profile(resident_id: int) -> ResidentProfile | None:
    return db.session.scalars(select(ResidentProfile).filter_by(resident_id=resident_id)).first()


# -- what the resident sees -------------------------------------------------------------------
def notices_of(resident: Resident, page: int = 1) -> dict:
    query = select(ResidentNotice).filter_by(resident_id=resident.id)
    rows = db.session.scalars(query.order_by(ResidentNotice.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    unread = db.session.scalar(select(func.count()).select_from(ResidentNotice).filter_by(
        resident_id=resident.id, read_at=None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return {"items": rows, "unread": unread, "total": total, "page": page}


def mark_read(resident: Resident, notice_id: int) -> ResidentNotice:
    notice = db.session.get(ResidentNotice, notice_id)
    if notice is None or notice.resident_id != resident.id:
        raise NotFound("notice.not_found", "没有找到这条消息。")
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return notice


def set_sms_consent(resident: Resident, consent: bool) -> dict:
    profile = _profile(resident.id)
    if consent and (profile is None or not profile.phone):
        raise ValidationFailed("notice.no_phone",
                               "您还没有留下手机号码，办理业务时填写后即可开启短信提醒。")
    if profile is not None:
        if consent and profile.sms_consent_at is None:
            profile.sms_consent_at = utcnow()
        elif not consent:
            profile.sms_consent_at = None
        db.session.flush()
    return sms_consent_of(resident)


def sms_consent_of(resident: Resident) -> dict:
    profile = _profile(resident.id)
    phone = profile.phone if profile else None
    return {"sms_consent": bool(profile and profile.sms_consent_at),
            "phone": mask_phone(phone) if phone else None}


# -- what staff see ---------------------------------------------------------------------------
def deliveries_about(subject: str) -> list[dict]:
    """Every notice about ``subject`` and how each was delivered (the caller checks that the
    staff member may see the subject)."""
    notices = db.session.scalars(select(ResidentNotice).filter_by(subject=subject)
                                 .order_by(ResidentNotice.id)).all()
    return [{"id": n.id, "kind": n.kind, "title": n.title, "created_at": n.created_at,
             "delivered_via": n.delivered_via, "delivered_at": n.delivered_at,
             "read": n.read_at is not None,
             "attempts": [{"channel": d.channel, "status": d.status, "code": d.code,
                           "at": d.created_at} for d in n.deliveries]}
            for n in notices]
