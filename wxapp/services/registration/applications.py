"""Birth registration, the resident's side: consent, draft, submit, track, edit, withdraw,
resubmit. Loaders fetch and authorise in one step: another resident's record is "not found"."""
from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wxapp import config
from wxapp.china_time import china_today, to_china, to_china_date
from wxapp.errors import Conflict, Forbidden
from wxapp.extensions import db
from wxapp.models import (
    OPEN_STATUSES,
    BirthRegistration,
    ConsentRecord,
    RegistrationDraft,
    RegistrationEvent,
    Resident,
    ResidentProfile,
    Township,
    UploadedDocument,
    Village,
)
from wxapp.models.base import utcnow
from wxapp.models.registrations import STATUS_LABELS
from wxapp.security.blind_index import id_number_index, phone_index
from wxapp.services import township_settings
from wxapp.services.accounts.ownership import owned_by
from wxapp.services.registration.consent import CONSENT_PURPOSE, CONSENT_TEXT_VERSION
from wxapp.services.registration.notices import notify_decision
from wxapp.services.registration.rules import CleanRegistration, validate_registration
from wxapp.services.supplies.pickups import adopt_earlier_pickups
from wxapp.transactions import unit_cache

# Which moves each actor may make, from which status.
RESIDENT_MOVES = {("submitted", "withdrawn"), ("returned", "withdrawn"),
                  ("returned", "submitted"), ("submitted", "submitted"),
                  ("approved", "correction_requested")}
STAFF_MOVES = {("submitted", "approved"), ("submitted", "returned"), ("submitted", "rejected"),
               ("correction_requested", "approved")}



# -- consent -------------------------------------------------------------------------------
def record_consent(resident: Resident, text_version: str) -> ConsentRecord:
    if text_version != CONSENT_TEXT_VERSION:
        raise Conflict("consent.outdated_text", "同意书已更新，请重新阅读后再确认。")
    consent = ConsentRecord(resident_id=resident.id, purpose=CONSENT_PURPOSE,
                            text_version=text_version)
    db.session.add(consent)
    db.session.flush()
    return consent


def has_consent(resident: Resident) -> bool:
    return db.session.scalars(select(ConsentRecord.id).filter_by(
        resident_id=resident.id, purpose=CONSENT_PURPOSE, text_version=CONSENT_TEXT_VERSION,
        withdrawn_at=None)).first() is not None


# -- drafts and prefill -------------------------------------------------------------------
def save_draft(resident: Resident, data: dict) -> dict:
    draft = db.session.scalars(select(RegistrationDraft).filter_by(resident_id=resident.id)).first()
    if draft is None:
        draft = RegistrationDraft(resident_id=resident.id, data="{}")
        db.session.add(draft)
    draft.data = json.dumps(data, ensure_ascii=False)
    db.session.flush()
    return data


def get_draft(resident: Resident) -> dict:
    draft = db.session.scalars(select(RegistrationDraft).filter_by(resident_id=resident.id)).first()
    return json.loads(draft.data) if draft else {}


def prefill(resident: Resident) -> dict:
    """What we already know, offered again so that nothing is asked twice."""
    latest = db.session.scalars(select(BirthRegistration).filter_by(resident_id=resident.id)
                                .order_by(BirthRegistration.id.desc())).first()
    if latest is not None:
        return {"filer_role": latest.filer_role, "mother": _parent_dict(latest, "mother"),
                "father": _parent_dict(latest, "father"),
                "marriage_date": latest.marriage_date.isoformat() if latest.marriage_date else None,
                "existing_children": json.loads(latest.existing_children),
                "village_id": latest.village_id}
    profile = db.session.scalars(select(ResidentProfile).filter_by(resident_id=resident.id)).first()
    if profile is None:
        return {}
    return {"me": {"name": profile.name, "id_number": profile.id_number, "phone": profile.phone,
                   "hukou_region": profile.hukou_region_code}}


def _parent_dict(reg: BirthRegistration, role: str) -> dict:
    return {"name": getattr(reg, f"{role}_name"), "id_number": getattr(reg, f"{role}_id_number"),
            "phone": getattr(reg, f"{role}_phone"),
            "hukou_region": getattr(reg, f"{role}_hukou_region"),
            "marital_status": getattr(reg, f"{role}_marital_status")}


# -- submit and track ----------------------------------------------------------------------
def _villages() -> dict[int, int]:
    """Village id -> township id, read once per request or job (a few dozen rows) for both
    the validation and the record."""
    cache = unit_cache()
    if "villages" not in cache:
        cache["villages"] = dict(db.session.execute(select(Village.id, Village.township_id)).all())
    return cache["villages"]


def _village_ids() -> set[int]:
    return set(_villages())


def _clean(resident: Resident, data: dict) -> CleanRegistration:
    uploads = {d.id: d.kind for d in db.session.scalars(
        select(UploadedDocument).filter_by(resident_id=resident.id))}
    return validate_registration(
        data, requires_marriage_date=config.settings().registration_requires_marriage_date,
        village_ids=_village_ids(), uploaded_kinds=uploads)


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved on by `days` working days (Monday to Friday in China), same wall-clock
    time. The weekday is China's: 00:30 on a Monday in China is still Sunday in UTC."""
    current = to_china(start)
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current.astimezone(UTC)


def _ensure_no_open_registration(clean: CleanRegistration, own_id: int | None = None) -> None:
    """One open registration per mother and pregnancy, found by the ID blind index."""
    query = select(BirthRegistration).where(
        BirthRegistration.mother_id_index == id_number_index(clean.mother.id_number),
        BirthRegistration.status.in_(OPEN_STATUSES),
        BirthRegistration.child_order == clean.child_order)
    if own_id is not None:
        query = query.where(BirthRegistration.id != own_id)
    if db.session.scalars(query).first() is not None:
        raise Conflict("registration.duplicate",
                       "这位女方的本次生育已经有登记在办理或已办结，请勿重复提交。")


def _apply(reg: BirthRegistration, clean: CleanRegistration) -> None:
    reg.filer_role = clean.filer_role
    for role in ("mother", "father"):
        parent = getattr(clean, role)
        setattr(reg, f"{role}_name", parent.name)
        setattr(reg, f"{role}_id_number", parent.id_number)
        setattr(reg, f"{role}_id_index", id_number_index(parent.id_number))
        setattr(reg, f"{role}_phone", parent.phone)
        setattr(reg, f"{role}_hukou_region", parent.hukou_region)
        setattr(reg, f"{role}_marital_status", parent.marital_status)
    reg.marriage_date = clean.marriage_date
    reg.pregnancy_status = clean.pregnancy_status
    reg.expected_or_birth_date = clean.expected_or_birth_date
    reg.existing_children = json.dumps(clean.existing_children)
    reg.child_order = clean.child_order
    reg.promised_documents = clean.promised_documents
    reg.village_id = clean.village_id
    reg.township_id = _villages()[clean.village_id]


def record_event(reg: BirthRegistration, to_status: str, actor_type: str, actor_id,
                 note: str | None = None) -> None:
    reg.events.append(RegistrationEvent(from_status=reg.status if reg.id else None,
                                        to_status=to_status, actor_type=actor_type,
                                        actor_id=None if actor_id is None else str(actor_id),
                                        note=note))
    reg.status = to_status


def _remember_filer(resident: Resident, clean: CleanRegistration) -> None:
    """The filer's own details become their profile, offered in every later form."""
    me = getattr(clean, clean.filer_role)
    profile = db.session.scalars(select(ResidentProfile).filter_by(resident_id=resident.id)).first()
    if profile is None:
        profile = ResidentProfile(resident_id=resident.id)
        db.session.add(profile)
    profile.name, profile.id_number, profile.phone = me.name, me.id_number, me.phone
    profile.id_number_index = id_number_index(me.id_number)
    # One person, one quota: what she took from cabinets before now counts under her ID number.
    adopt_earlier_pickups(resident.id, profile.id_number_index)
    profile.phone_index = phone_index(me.phone) if me.phone else None
    profile.hukou_region_code = me.hukou_region


def _start_review_clock(reg: BirthRegistration) -> None:
    reg.submitted_at = utcnow()
    reg.due_at = add_working_days(reg.submitted_at,
                                  township_settings.current().registration_review_working_days)


def submit(resident: Resident, data: dict) -> BirthRegistration:
    if not has_consent(resident):
        raise Forbidden("registration.consent_required",
                        "提交前请先阅读并同意《个人信息处理告知同意书》。")
    clean = _clean(resident, data)
    reg = _create(clean, resident_id=resident.id, actor=("resident", resident.id))
    _remember_filer(resident, clean)
    db.session.execute(RegistrationDraft.__table__.delete().where(
        RegistrationDraft.resident_id == resident.id))
    db.session.flush()
    return reg


def file_on_behalf(staff, data: dict, consent_confirmed: bool) -> BirthRegistration:
    """代办: a village worker files for a resident who cannot use the mini-program, having
    seen the original documents and the resident's signed consent."""
    if not consent_confirmed:
        raise Forbidden("registration.consent_required",
                        "请确认当事人已签署《个人信息处理告知同意书》。")
    clean = validate_registration(
        data, requires_marriage_date=config.settings().registration_requires_marriage_date,
        village_ids=_village_ids(), originals_seen=True)
    if staff.role == "village_worker" and clean.village_id != staff.village_id:
        raise Forbidden("registration.other_village", "只能为本村（社区）居民代办。")
    reg = _create(clean, resident_id=None, actor=("staff", staff.id), note="代办")
    reg.filed_by_staff_id = staff.id
    db.session.flush()
    return reg


def _create(clean: CleanRegistration, resident_id: int | None, actor: tuple,
            note: str | None = None) -> BirthRegistration:
    # No look-up first: the partial unique index refuses a second open registration for the
    # same pregnancy, and _flush_or_duplicate turns that into registration.duplicate.
    reg = BirthRegistration(resident_id=resident_id, status="draft")
    _apply(reg, clean)
    # Flags before the first flush, so that they go in with the row.
    reg.conflict_flags = conflict_flags(reg)
    db.session.add(reg)
    record_event(reg, "submitted", actor[0], actor[1], note)
    _start_review_clock(reg)
    _flush_or_duplicate()
    reg.application_no = f"SY{reg.submitted_at:%Y%m%d}{reg.id:06d}"
    attach_documents(reg, clean.document_ids)
    if config.settings().instant_registration and not reg.conflict_flags:
        register(reg, "system", None, "即办")
    db.session.flush()
    return reg


def conflict_flags(reg: BirthRegistration) -> list[str]:
    """What a reviewer must look at; with none, a township on 即办 registers at once."""
    flags = []
    if reg.promised_documents:
        flags.append("promised_documents")
    same_parents = ((BirthRegistration.mother_id_index == reg.mother_id_index)
                    | (BirthRegistration.father_id_index == reg.father_id_index))
    query = select(BirthRegistration.status, BirthRegistration.child_order).where(
        same_parents, BirthRegistration.status.in_(OPEN_STATUSES))
    if reg.id is not None:  # checked again later for a saved registration: not itself
        query = query.where(BirthRegistration.id != reg.id)
    others = db.session.execute(query).all()
    if others:
        flags.append("earlier_registration")
    if any(status == "approved" and order >= reg.child_order for status, order in others):
        flags.append("child_count_mismatch")
    return flags


# Letters and digits that cannot be mistaken for each other when read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _unique_certificate_code(length: int = 10) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if db.session.scalars(select(BirthRegistration.id).filter_by(
                certificate_code=code)).first() is None:
            return code


def register(reg: BirthRegistration, actor_type: str, actor_id, note: str | None = None) -> None:
    """The registration itself: number, certificate code, decision time, the resident told."""
    record_event(reg, "approved", actor_type, actor_id, note)
    reg.decided_at = utcnow()
    # The year a person reads in the number is the China year of the decision.
    reg.registration_number = f"DJ{to_china_date(reg.decided_at).year}{reg.id:07d}"
    reg.certificate_code = _unique_certificate_code()
    db.session.flush()
    notify_decision(reg)


def attach_documents(reg: BirthRegistration, document_ids: list[int]) -> None:
    if not document_ids:
        return
    for document in db.session.scalars(select(UploadedDocument).where(
            UploadedDocument.id.in_(document_ids),
            UploadedDocument.resident_id == reg.resident_id)):
        document.registration_id = reg.id
    db.session.flush()


def _flush_or_duplicate() -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:
        # A concurrent submission for the same pregnancy won the unique index.
        raise Conflict("registration.duplicate",
                       "这位女方的本次生育已经有登记在办理或已办结，请勿重复提交。") from exc


def list_for_resident(resident: Resident) -> list[BirthRegistration]:
    return list(db.session.scalars(select(BirthRegistration).filter_by(resident_id=resident.id)
                                   .order_by(BirthRegistration.id.desc())))


def get_for_resident(resident: Resident, registration_id: int) -> BirthRegistration:
    return owned_by(resident, BirthRegistration, registration_id, "registration.not_found",
                    "没有找到这份申请。")


def _move(reg: BirthRegistration, to_status: str, allowed: set) -> None:
    if (reg.status, to_status) not in allowed:
        raise Conflict("registration.illegal_transition",
                       f"当前状态（{STATUS_LABELS.get(reg.status, reg.status)}）下不能进行此操作。")


def update_before_review(resident: Resident, registration_id: int, data: dict
                         ) -> BirthRegistration:
    """Edit a submitted application before review, or fix a returned one and resubmit."""
    reg = get_for_resident(resident, registration_id)
    _move(reg, "submitted", RESIDENT_MOVES)
    clean = _clean(resident, data)
    _ensure_no_open_registration(clean, own_id=reg.id)
    was_returned = reg.status == "returned"
    _apply(reg, clean)
    record_event(reg, "submitted", "resident", resident.id,
                 "退回后重新提交" if was_returned else "审核前修改")
    if was_returned:
        reg.return_items = None
        _start_review_clock(reg)
    _flush_or_duplicate()
    attach_documents(reg, clean.document_ids)
    return reg


def withdraw(resident: Resident, registration_id: int) -> BirthRegistration:
    reg = get_for_resident(resident, registration_id)
    _move(reg, "withdrawn", RESIDENT_MOVES)
    record_event(reg, "withdrawn", "resident", resident.id)
    db.session.flush()
    return reg


def request_correction(resident: Resident, registration_id: int, data: dict
                       ) -> BirthRegistration:
    """After approval the record stands; a correction is reviewed before it replaces it."""
    reg = get_for_resident(resident, registration_id)
    _move(reg, "correction_requested", RESIDENT_MOVES)
    clean = _clean(resident, data)
    _ensure_no_open_registration(clean, own_id=reg.id)
    reg.pending_correction = json.dumps(data, ensure_ascii=False)
    record_event(reg, "correction_requested", "resident", resident.id)
    # A new photo is what backs a corrected name or ID number: the reviewer must see it with
    # the case, and it stays in the file whatever the decision.
    attach_documents(reg, clean.document_ids)
    db.session.flush()
    return reg


def apply_correction(reg: BirthRegistration, accept: bool, actor_id, note: str | None) -> None:
    data = json.loads(reg.pending_correction)
    if accept:
        resident = db.session.get(Resident, reg.resident_id)
        _apply(reg, _clean(resident, data))
        # The certificate shows the corrected details: the old code stops verifying.
        reg.certificate_code = _unique_certificate_code()
    reg.pending_correction = None
    record_event(reg, "approved", "staff", actor_id,
                 note or ("更正已通过" if accept else "更正未通过"))
    reg.decided_at = utcnow()
    db.session.flush()


def as_resident_view(reg: BirthRegistration) -> dict:
    overdue = bool(reg.status == "submitted" and reg.due_at and
                   to_china_date(reg.due_at) < china_today())
    return {
        "id": reg.id, "application_no": reg.application_no, "status": reg.status,
        "status_label": STATUS_LABELS.get(reg.status, reg.status),
        "filer_role": reg.filer_role,
        "mother": _parent_dict(reg, "mother"), "father": _parent_dict(reg, "father"),
        "marriage_date": reg.marriage_date, "pregnancy_status": reg.pregnancy_status,
        "expected_or_birth_date": reg.expected_or_birth_date,
        "existing_children": json.loads(reg.existing_children), "child_order": reg.child_order,
        "village_id": reg.village_id, "submitted_at": reg.submitted_at, "due_at": reg.due_at,
        "overdue": overdue, "return_items": reg.return_items or [],
        "reject_reason": reg.reject_reason, "registration_number": reg.registration_number,
        "certificate_code": reg.certificate_code
        if reg.status in ("approved", "correction_requested") else None,
        "promised_documents": reg.promised_documents or [],
        "documents": [{"id": d.id, "kind": d.kind, "content_type": d.content_type,
                       "size": d.size} for d in db.session.scalars(
            select(UploadedDocument).filter_by(registration_id=reg.id)
            .order_by(UploadedDocument.id))] if reg.id else [],
        "history": [{"from_status": e.from_status, "to_status": e.to_status,
                     "actor_type": e.actor_type, "note": e.note, "at": e.at} for e in reg.events],
    }


def township_of(reg: BirthRegistration) -> Township:
    return db.session.get(Township, reg.township_id)
