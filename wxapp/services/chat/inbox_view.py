"""Messages left for staff as the console shows them: who (masked), where from, what she asked
(the numbers she typed masked), and, once answered, how the answer reached her.

The full phone number and message are only behind the audited reveal
(``personal_data``, record kind ``handover``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from wxapp.china_time import to_china
from wxapp.extensions import db
from wxapp.models import ResidentProfile, StaffUser, Village
from wxapp.models.faq import Handover
from wxapp.security.masking import mask_identifiers, mask_name, mask_phone
from wxapp.services.chat import handovers
from wxapp.services.notice_deliveries import reached_by_subject, reached_label

VIEWS = {"open": "待回复", "answered": "已回复"}
PURPOSE_LABELS = {"question": "咨询", "filing_help": "请村里代办"}
CHANNEL_LABELS = {"official_account": "公众号对话", "app": "小程序或公众号网页"}
EXCERPT_CHARS = 40


@dataclass(frozen=True)
class MessageCard:
    id: int
    status: str
    purpose: str
    purpose_label: str
    channel_label: str
    village: str
    name: str  # masked
    phone: str  # masked; "" when she left none
    message: str  # numbers masked
    message_has_numbers: bool
    excerpt: str
    left_at: datetime  # China time
    answer: str | None
    answered_at: datetime | None
    answered_by: str
    reached: str  # how the answer reached her; "" while open
    reached_via: str | None  # the channel; None while open or sending


def _profiles(resident_ids: set[int]) -> dict[int, ResidentProfile]:
    if not resident_ids:
        return {}
    return {p.resident_id: p for p in db.session.scalars(
        select(ResidentProfile).where(ResidentProfile.resident_id.in_(resident_ids)))}


def _names(model, ids: set[int], attribute: str) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: getattr(row, attribute)
            for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _cards(rows: list[Handover]) -> list[MessageCard]:
    profiles = _profiles({row.resident_id for row in rows})
    villages = _names(Village, {row.village_id for row in rows}, "name")
    staff = _names(StaffUser, {row.answered_by_staff_id for row in rows}, "display_name")
    reached = reached_by_subject([f"handover:{row.id}" for row in rows
                                  if row.status == "answered"])
    cards = []
    for row in rows:
        profile = profiles.get(row.resident_id)
        masked = mask_identifiers(row.message)
        cards.append(MessageCard(
            id=row.id, status=row.status, purpose=row.purpose,
            purpose_label=PURPOSE_LABELS.get(row.purpose, row.purpose),
            channel_label=CHANNEL_LABELS.get(row.channel, row.channel),
            village=villages.get(row.village_id, ""),
            name=mask_name(profile.name if profile else None) or "（未留姓名）",
            phone=mask_phone(profile.phone if profile else None),
            message=masked, message_has_numbers=masked != row.message,
            excerpt=masked if len(masked) <= EXCERPT_CHARS else masked[:EXCERPT_CHARS] + "…",
            left_at=to_china(row.created_at),
            answer=row.answer, answered_at=to_china(row.answered_at) if row.answered_at else None,
            answered_by=staff.get(row.answered_by_staff_id, ""),
            reached=reached_label(reached.get(f"handover:{row.id}"))
            if row.status == "answered" else "",
            reached_via=reached.get(f"handover:{row.id}")))
    return cards


def inbox(staff: StaffUser, view: str) -> list[MessageCard]:
    """Open messages oldest first (the longest waiting on top); answered ones newest first."""
    rows = handovers.list_answered(staff) if view == "answered" else handovers.list_open(staff)
    return _cards(rows)


def open_count(staff: StaffUser) -> int:
    return db.session.scalar(select(func.count()).select_from(
        handovers.visible_query(staff).where(Handover.status == "open").subquery()))


def message_card(staff: StaffUser, handover_id: int) -> MessageCard:
    """One message (an audited read); another village's is not found."""
    return _cards([handovers.get_for_staff(staff, handover_id)])[0]
