"""Hand-over to staff: the resident leaves a message, staff answer, the answer goes back."""
from __future__ import annotations

from sqlalchemy import select, update

from wxapp.errors import NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import Resident, StaffUser, Village
from wxapp.models.base import utcnow
from wxapp.models.faq import Handover
from wxapp.services import staff_notices
from wxapp.services.audit import Actor, record_audit

MAX_MESSAGE_CHARS = 1000


PURPOSES = ("question", "filing_help")


def leave_message(resident: Resident, channel: str, message: str, *, purpose: str = "question",
                  village_id: int | None = None) -> Handover:
    """A question for the office, or (``filing_help``, 请村里代办) a request that the workers
    of her village call her and file for her: they see it in their list and are alerted."""
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("handover.empty", "留言内容不能为空。")
    village = None
    if village_id is not None:
        village = db.session.get(Village, village_id)
        if village is None:
            raise ValidationFailed("handover.village_unknown", "请选择您所在的村（社区）。")
    handover = Handover(resident_id=resident.id, channel=channel, purpose=purpose,
                        village_id=village.id if village else None,
                        message=message[:MAX_MESSAGE_CHARS], status="open")
    db.session.add(handover)
    db.session.flush()
    if purpose == "filing_help" and village is not None:
        workers = list(db.session.scalars(select(StaffUser).where(
            StaffUser.active.is_(True), StaffUser.role == "village_worker",
            StaffUser.village_id == village.id)))
        staff_notices.notify(workers, f"filing_help:{handover.id}",
                             f"{village.name}有居民请村里代办，请在“居民留言”中查看并回电。",
                             sms=("居民请求代办", village.name))
    return handover


def list_for_resident(resident: Resident, limit: int = 20) -> list[Handover]:
    """Her own messages and their answers, newest first: the resident pages show staff's
    answer there too, since a resident who never wrote to the official account cannot be sent
    it as a customer-service message."""
    return list(db.session.scalars(
        select(Handover).where(Handover.resident_id == resident.id)
        .order_by(Handover.created_at.desc(), Handover.id.desc()).limit(limit)))


def visible_query(staff):
    """The office and reviewers see every message; a village worker those of her village."""
    query = select(Handover)
    if staff.role == "village_worker":
        query = query.where(Handover.village_id == staff.village_id)
    return query


def list_open(staff) -> list[Handover]:
    rows = list(db.session.scalars(
        visible_query(staff).where(Handover.status == "open").order_by(Handover.created_at)))
    record_audit(Actor("staff", str(staff.id)), "handover.list", "handover", None,
                 {"ids": [row.id for row in rows]})
    return rows


def list_answered(staff, limit: int = 50) -> list[Handover]:
    """The most recently answered, so that staff can see how each answer reached her."""
    rows = list(db.session.scalars(
        visible_query(staff).where(Handover.status == "answered")
        .order_by(Handover.answered_at.desc(), Handover.id.desc()).limit(limit)))
    record_audit(Actor("staff", str(staff.id)), "handover.list", "handover", None,
                 {"ids": [row.id for row in rows]})
    return rows


def visible_handover(staff, handover_id: int) -> Handover | None:
    """The message if ``staff`` may see it, without recording a read (the caller does)."""
    return db.session.scalars(visible_query(staff).where(Handover.id == handover_id)).first()


def get_for_staff(staff, handover_id: int) -> Handover:
    handover = visible_handover(staff, handover_id)
    if handover is None:
        raise NotFound("handover.not_found", "没有找到该留言。")
    record_audit(Actor("staff", str(staff.id)), "handover.read", "handover", handover.id)
    return handover


def answer(staff, handover_id: int, text: str) -> Handover:
    from wxapp.services.resident_notices import BySms, tell

    text = (text or "").strip()
    if not text:
        raise ValidationFailed("handover.answer_empty", "回复内容不能为空。")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationFailed("handover.answer_too_long",
                               f"回复内容最多{MAX_MESSAGE_CHARS}字，请精简后再发送。")
    handover = get_for_staff(staff, handover_id)
    # The first answer wins: a second click, or a colleague answering at the same moment,
    # finds the message no longer open and changes nothing (the row lock orders the two).
    won = db.session.execute(
        update(Handover).where(Handover.id == handover.id, Handover.status == "open")
        .values(status="answered", answer=text, answered_by_staff_id=staff.id,
                answered_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(handover)
    if not won:
        raise ValidationFailed("handover.already_answered", "该留言已经回复过了。")
    record_audit(Actor("staff", str(staff.id)), "handover.answer", "handover", handover.id)
    # In the chat while WeChat's 48-hour window is open, else by text or in her notice list.
    tell(handover.resident_id, "handover_answered", dedupe_key=f"handover:{handover.id}:answer",
         subject=f"handover:{handover.id}", title="工作人员回复了您的留言", text=text,
         sms=BySms("service_update", ["留言咨询", "工作人员已回复"]))
    db.session.flush()
    return handover
