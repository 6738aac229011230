"""Birth registration, the health office's side: the review queue, decisions, certificates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from wxapp.china_time import to_china_date
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import BirthRegistration, StaffUser
from wxapp.models.base import utcnow
from wxapp.security.masking import mask_name
from wxapp.services.audit import Actor, record_audit
from wxapp.services.registration.applications import (
    STAFF_MOVES,
    _move,
    apply_correction,
    record_event,
    register,
)
from wxapp.services.registration.desk_queue import registration_scope, with_filters
from wxapp.services.registration.documents import documents_of
from wxapp.services.registration.notices import notify_decision

REVIEWERS = ("township_admin", "reviewer")
# Still registered while a correction is being reviewed.
REGISTERED = ("approved", "correction_requested")


def _actor(staff: StaffUser) -> Actor:
    return Actor("staff", str(staff.id))


def review_queue(staff: StaffUser, status: str | None = None, village_id: int | None = None,
                 overdue: bool | None = None) -> list[BirthRegistration]:
    query = with_filters(registration_scope(staff).order_by(BirthRegistration.due_at),
                         status=status, village_id=village_id, overdue=overdue)
    rows = list(db.session.scalars(query))
    record_audit(_actor(staff), "registration.list", "birth_registration", None,
                 {"count": len(rows), "status": status})
    return rows


def get_for_staff(staff: StaffUser, registration_id: int, *, for_decision: bool = False
                  ) -> BirthRegistration:
    """``for_decision``: locked until the decision commits, so that two decisions sent at once
    (a double click, two reviewers) are taken one after the other: the second sees the first's
    status and is refused instead of registering the case twice."""
    query = registration_scope(staff, select(BirthRegistration).filter_by(id=registration_id))
    if for_decision:
        query = query.with_for_update().execution_options(populate_existing=True)
    reg = db.session.scalars(query).first()
    if reg is None:
        raise NotFound("registration.not_found", "没有找到这份申请。")
    record_audit(_actor(staff), "registration.read", "birth_registration", reg.id)
    return reg


def document_for_staff(staff: StaffUser, registration_id: int, document_id: int):
    reg = get_for_staff(staff, registration_id)
    found = next((d for d in documents_of(reg.id) if d.id == document_id), None)
    if found is None:
        raise NotFound("upload.not_found", "没有找到该文件。")
    record_audit(_actor(staff), "document.read", "uploaded_document", found.id)
    return found


def _decide(staff: StaffUser, registration_id: int, to_status: str, note: str | None):
    reg = get_for_staff(staff, registration_id, for_decision=True)
    _move(reg, to_status, STAFF_MOVES)
    record_event(reg, to_status, "staff", staff.id, note)
    reg.decided_at = utcnow()
    reg.decided_by_staff_id = staff.id
    record_audit(_actor(staff), f"registration.{to_status}", "birth_registration", reg.id)
    return reg


def approve(staff: StaffUser, registration_id: int) -> BirthRegistration:
    reg = get_for_staff(staff, registration_id, for_decision=True)
    _move(reg, "approved", STAFF_MOVES)
    register(reg, "staff", staff.id)
    reg.decided_by_staff_id = staff.id
    record_audit(_actor(staff), "registration.approved", "birth_registration", reg.id)
    return reg


def decide_correction(staff: StaffUser, registration_id: int, accept: bool,
                      note: str | None = None) -> BirthRegistration:
    reg = get_for_staff(staff, registration_id, for_decision=True)
    if reg.status != "correction_requested":
        raise Conflict("registration.illegal_transition", "没有待审核的更正申请。")
    apply_correction(reg, accept, staff.id, note)
    reg.decided_by_staff_id = staff.id
    record_audit(_actor(staff), "registration.correction_" + ("accepted" if accept else "refused"),
                 "birth_registration", reg.id)
    notify_decision(reg)
    return reg


def return_for_changes(staff: StaffUser, registration_id: int, items: list[dict]
                       ) -> BirthRegistration:
    # 一次性告知: everything to fix in one go, each with the field it concerns.
    if not items or any(not (i.get("message") or "").strip() for i in items):
        raise ValidationFailed("registration.return_items_required",
                               "退回时请逐项写明需要补正的内容。")
    reg = _decide(staff, registration_id, "returned",
                  "；".join(i["message"].strip() for i in items))
    reg.return_items = [{"field": i.get("field"), "message": i["message"].strip()} for i in items]
    db.session.flush()
    notify_decision(reg)
    return reg


def reject(staff: StaffUser, registration_id: int, reason: str) -> BirthRegistration:
    if not (reason or "").strip():
        raise ValidationFailed("registration.reason_required", "请填写不予登记的原因。")
    reg = _decide(staff, registration_id, "rejected", reason.strip())
    reg.reject_reason = reason.strip()
    db.session.flush()
    notify_decision(reg)
    return reg


def verify_certificate(code: str) -> dict | None:
    """What the public verification page may show: validity and masked names only."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    reg = db.session.scalars(select(BirthRegistration).filter_by(certificate_code=code)).first()
    if reg is None or reg.status not in REGISTERED:
        return None
    return {"valid": reg.certificate_revoked_at is None,
            "registration_number": reg.registration_number,
            "mother": mask_name(reg.mother_name), "father": mask_name(reg.father_name),
            "registered_on": to_china_date(reg.decided_at).isoformat()
            if isinstance(reg.decided_at, datetime) else None,
            "child_order": reg.child_order}
