"""Showing staff a full ID number or phone number: an explicit act, one field at a time.

Invariant: pages show these numbers masked; the only way to the plaintext for staff on screen
is ``reveal``, which finds the record through the staff member's scope (anyone else's record
is not found, never confirmed to exist) and writes exactly one audit row (who, which record,
which field, from where) in the same transaction as the answer. The row holds the field's
name, never its value.

No reason is asked for: a reviewer compares the numbers on the form with the ID-card images
many times a day, a typed reason would become the same word every time, and free text in an
audit row is a place personal data leaks into. The audit page shows who revealed what, so
unusual volume stands out there instead; beyond that, each account may reveal only so many a
day (a rate limit, ``rate_limit_reveal_per_staff``), and the township office is alerted the
first time in a day that an account reaches it (``reveal_limit_reached``).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wxapp.errors import Forbidden, NotFound
from wxapp.extensions import db
from wxapp.models import BirthRegistration, ResidentProfile, ScreeningCouple, StaffUser, Village
from wxapp.services import ratings, staff_notices
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit

REVEALED = "personal_data.revealed"


@dataclass(frozen=True)
class RecordKind:
    target_type: str  # as in the audit log's other rows about the same record
    label: str
    # Who works with these records at all; everyone else is refused before any look-up.
    roles: tuple[str, ...]
    fields: dict[str, str]  # column -> what the field is, in Chinese

    def find(self, staff: StaffUser, record_id: int):
        raise NotImplementedError


class _Registrations(RecordKind):
    def find(self, staff, record_id):
        return db.session.scalars(scoped(
            select(BirthRegistration).filter_by(id=record_id), staff,
            BirthRegistration.township_id, BirthRegistration.village_id)).first()


class _Couples(RecordKind):
    def find(self, staff, record_id):
        return db.session.scalars(scoped(
            select(ScreeningCouple).join(Village).filter(ScreeningCouple.id == record_id),
            staff, Village.township_id, ScreeningCouple.village_id)).first()


class _Raters(RecordKind):
    def find(self, staff, record_id):
        # Only a rating with a call-back, and never one about the caller's own work: the
        # member of staff who was rated must not learn who rated them.
        return ratings.rater_of_callback(staff, record_id)


@dataclass(frozen=True)
class HandoverContact:
    """What staff answering a message may need in full: her phone number (to call her back,
    as 请村里代办 asks) and her message as she wrote it (with the numbers she typed in)."""
    id: int
    phone: str | None
    message: str


class _Handovers(RecordKind):
    def find(self, staff, record_id):
        from wxapp.services.chat.handovers import visible_handover

        handover = visible_handover(staff, record_id)
        if handover is None:
            return None
        phone = db.session.scalar(select(ResidentProfile.phone)
                                  .filter_by(resident_id=handover.resident_id))
        return HandoverContact(handover.id, phone, handover.message)


# The same need-to-know as the staff API: the office, reviewers and the village's worker read
# registrations and couples; clinic staff work from bookings and never see either. A resident's
# own profile is shown only as the rater of a 差评 the office calls back (reached through
# the rating: it belongs to no village to scope by), and as the phone of a message she
# left for staff, scoped as that message is.
RECORD_KINDS: dict[str, RecordKind] = {
    "registration": _Registrations(
        "birth_registration", "生育登记", ("township_admin", "reviewer", "village_worker"),
        {"mother_id_number": "女方身份证号码", "mother_phone": "女方手机号码",
         "father_id_number": "男方身份证号码", "father_phone": "男方手机号码"}),
    "screening_couple": _Couples(
        "screening_couple", "孕前检查夫妇", ("township_admin", "reviewer", "village_worker"),
        {"wife_id_number": "妻子身份证号码", "wife_phone": "妻子手机号码",
         "husband_id_number": "丈夫身份证号码", "husband_phone": "丈夫手机号码"}),
    # Only the office calls back a poor rating (the staff API's call-back list is theirs).
    "rating": _Raters(
        "service_rating", "好差评回访", ("township_admin",),
        {"rater_name": "评价人姓名", "rater_phone": "评价人手机号码"}),
    # Whoever may answer a message left for a person (a village worker: her village's).
    "handover": _Handovers(
        "handover", "居民留言", ("township_admin", "reviewer", "village_worker"),
        {"phone": "居民手机号码", "message": "留言原文（含号码）"}),
}
REVEAL_ROLES = tuple(sorted({role for kind in RECORD_KINDS.values() for role in kind.roles}))


@dataclass(frozen=True)
class Revealed:
    record_kind: str
    record_id: int
    field: str
    label: str
    value: str


def _not_found() -> NotFound:
    return NotFound("personal_data.not_found", "没有找到这条记录。")


def can_reveal(staff: StaffUser, record_kind: str) -> bool:
    kind = RECORD_KINDS.get(record_kind)
    return kind is not None and staff.role in kind.roles


def reveal(staff: StaffUser, record_kind: str, record_id: int, field: str) -> Revealed:
    kind = RECORD_KINDS.get(record_kind)
    if kind is None or field not in kind.fields:
        raise _not_found()
    if staff.role not in kind.roles:
        raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
    record = kind.find(staff, record_id)
    if record is None:
        raise _not_found()
    value = getattr(record, field)
    if not value:
        # Nothing is shown, so nothing is recorded.
        raise NotFound("personal_data.empty", "这一项没有填写。")
    record_audit(Actor("staff", str(staff.id)), REVEALED, kind.target_type, record.id,
                 {"field": field})
    return Revealed(record_kind, record.id, field, kind.fields[field], value)


LIMIT_NOTICE = "reveal_limit"


def reveal_limit_reached(staff: StaffUser) -> int:
    """Tell the township office that ``staff`` was stopped from revealing more numbers: once a
    day per account however often she tries again (``staff_notices.notify``), in the console and
    by text. Returns how many were told."""
    office = list(db.session.scalars(select(StaffUser).where(
        StaffUser.active.is_(True), StaffUser.role == "township_admin",
        StaffUser.township_id == staff.township_id)))
    who = f"{staff.display_name}（{staff.username}）"
    return staff_notices.notify(
        office, f"{LIMIT_NOTICE}:{staff.id}",
        f"{who}查看完整身份证号码、手机号码的次数已达上限，已暂停查看。"
        "请在“审计日志”中核对是否为正常工作所需。",
        sms=("查看号码超限", staff.display_name))
