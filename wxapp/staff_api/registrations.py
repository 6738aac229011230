"""The health office's review of birth registrations, scoped to the staff member's area."""
from __future__ import annotations

from flask import g
from marshmallow import fields, validate

from wxapp.formats.spreadsheets import Chart
from wxapp.schemas.base import StrictSchema
from wxapp.schemas.notices import NoticeDeliverySchema
from wxapp.schemas.registration import (
    OnBehalfFormSchema,
    RegistrationListItemSchema,
    ReturnItemSchema,
    StaffRegistrationSchema,
)
from wxapp.security.masking import mask_id_number, mask_name
from wxapp.services import resident_notices
from wxapp.services.registration import applications as registrations
from wxapp.services.registration import documents, review
from wxapp.services.registration import reports as registration_reports
from wxapp.services.registration.applications import as_resident_view
from wxapp.staff_api.schemas import ReportQuerySchema
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import file_response, table_download
from wxapp.web.idempotency import idempotent
from wxapp.web.openapi import ROWS, file_answer, report_answer

blp = Blueprint("staff_registrations", __name__, url_prefix="/registrations",
                description="Birth registration review")
# Need to know: the township office and reviewers for the township, village workers for their
# village (the scope in review.py). Clinic staff have no part in birth registration and never
# see the forms or the ID-card images: 403, as for every other role-level refusal.
READERS = (*review.REVIEWERS, "village_worker")


class QueueQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(
        ["submitted", "returned", "approved", "rejected", "withdrawn"]))
    village_id = fields.Integer()
    overdue = fields.Boolean()


class ReturnSchema(StrictSchema):
    items = fields.List(fields.Nested(ReturnItemSchema), required=True,
                        validate=validate.Length(min=1, max=30))


class RejectSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


def _staff_view(reg) -> dict:
    return {**as_resident_view(reg), "conflict_flags": reg.conflict_flags or [],
            "filed_by_staff_id": reg.filed_by_staff_id}


def _list_item(reg) -> dict:
    return {**_staff_view(reg), "mother_name": mask_name(reg.mother_name),
            "mother_id_number": mask_id_number(reg.mother_id_number)}


@blp.get("")
@staff_required(*READERS)
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, RegistrationListItemSchema(many=True))
def queue(query):
    """The review queue of birth registrations, filtered."""
    return [_list_item(r) for r in review.review_queue(
        g.staff, query.get("status"), query.get("village_id"), query.get("overdue"))]


@blp.post("")
@staff_required("village_worker", *review.REVIEWERS)
@idempotent
@blp.arguments(OnBehalfFormSchema)
@blp.response(201, StaffRegistrationSchema)
def file_on_behalf(form):
    """代办: filed by staff for a resident who cannot use the mini-program."""
    confirmed = form.pop("consent_confirmed")
    return _staff_view(registrations.file_on_behalf(g.staff, form, confirmed))


@blp.get("/report")
@staff_required("township_admin", *review.REVIEWERS)
@report_answer(blp, ROWS, description="One row per village")
@blp.arguments(ReportQuerySchema, location="query")
def report(query):
    """Monthly counts for the county: JSON, CSV (Excel-friendly) or XLSX."""
    rows = registration_reports.monthly_report(g.staff, query["month"])
    return table_download(query["format"], registration_reports.COLUMNS, rows,
                          f"birth-registrations-{query['month']}", f"生育登记{query['month']}",
                          chart=Chart("各村生育登记申请", "村/社区",
                                      bars=("一孩", "二孩", "三孩及以上"), y_title="件"))


@blp.get("/<int:registration_id>")
@blp.response(200, StaffRegistrationSchema)
@staff_required(*READERS)
def detail(registration_id):
    """One birth registration in full (audited)."""
    return _staff_view(review.get_for_staff(g.staff, registration_id))


@blp.get("/<int:registration_id>/notices")
@blp.response(200, NoticeDeliverySchema(many=True))
@staff_required(*READERS)
def notices(registration_id):
    """What the applicant was told about this case, and which channel reached her."""
    reg = review.get_for_staff(g.staff, registration_id)
    return resident_notices.deliveries_about(f"registration:{reg.id}")


@blp.post("/<int:registration_id>/approve")
@blp.response(200, StaffRegistrationSchema)
@staff_required(*review.REVIEWERS)
def approve(registration_id):
    """Approve a birth registration."""
    return _staff_view(review.approve(g.staff, registration_id))


class CorrectionDecisionSchema(StrictSchema):
    accept = fields.Boolean(required=True)
    note = fields.String(validate=validate.Length(max=500))


@blp.post("/<int:registration_id>/correction")
@staff_required(*review.REVIEWERS)
@blp.arguments(CorrectionDecisionSchema)
@blp.response(200, StaffRegistrationSchema)
def decide_correction(body, registration_id):
    """Decide a resident's correction request."""
    return _staff_view(review.decide_correction(g.staff, registration_id, body["accept"],
                                                body.get("note")))


@blp.post("/<int:registration_id>/return")
@staff_required(*review.REVIEWERS)
@blp.arguments(ReturnSchema)
@blp.response(200, StaffRegistrationSchema)
def return_for_changes(body, registration_id):
    """Return a birth registration with every item to fix."""
    return _staff_view(review.return_for_changes(g.staff, registration_id, body["items"]))


@blp.post("/<int:registration_id>/reject")
@staff_required(*review.REVIEWERS)
@blp.arguments(RejectSchema)
@blp.response(200, StaffRegistrationSchema)
def reject(body, registration_id):
    """Reject a birth registration."""
    return _staff_view(review.reject(g.staff, registration_id, body["reason"]))


@blp.get("/<int:registration_id>/documents/<int:document_id>")
@staff_required(*READERS)
@file_answer(blp, "image/jpeg", "image/png", "application/pdf",
             description="The document as uploaded")
def document(registration_id, document_id):
    """One document of a birth registration (audited)."""
    found = review.document_for_staff(g.staff, registration_id, document_id)
    return file_response(found, documents.read_content(found))
