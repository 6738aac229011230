"""The resident's birth registrations: /me/..., never an id of someone else's."""
from __future__ import annotations

from flask import Response, g, request
from marshmallow import Schema, fields

from wxapp.schemas.registration import (
    ConsentResultSchema,
    ConsentSchema,
    DocumentSchema,
    RegistrationFormSchema,
    RegistrationSchema,
)
from wxapp.services.registration import applications as registrations
from wxapp.services.registration import certificates, documents
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.bounds import MaxEntries, MaxJsonBytes
from wxapp.web.files import file_response
from wxapp.web.idempotency import idempotent
from wxapp.web.openapi import file_answer

DRAFT_MAX_BYTES = 32 * 1024

blp = Blueprint("registrations", __name__, url_prefix="/me",
                description="Birth registration (生育登记)")


class DraftSchema(Schema):
    # A form in progress: the whole form is a few KiB (a 9 MiB draft used to be stored).
    data = fields.Dict(required=True, validate=[MaxEntries(40), MaxJsonBytes(DRAFT_MAX_BYTES)])


@blp.post("/consents")
@resident_required
@idempotent
@blp.arguments(ConsentSchema)
@blp.response(201, ConsentResultSchema)
def give_consent(body):
    """Give the separate consent for birth registration (version from GET /consent)."""
    return registrations.record_consent(g.resident, body["text_version"])


@blp.get("/registration-draft")
@blp.response(200, DraftSchema)
@resident_required
def get_draft():
    """The resident's birth-registration draft kept on the server."""
    return {"data": registrations.get_draft(g.resident)}


@blp.put("/registration-draft")
@resident_required
@blp.arguments(DraftSchema)
@blp.response(200, DraftSchema)
def save_draft(body):
    """Save the birth-registration draft (the whole form in progress)."""
    return {"data": registrations.save_draft(g.resident, body["data"])}


@blp.get("/registrations/prefill")
@blp.response(200, DraftSchema)
@resident_required
def prefill():
    """What is already known for a new birth registration (to fill the form)."""
    return {"data": registrations.prefill(g.resident)}


@blp.post("/registrations")
@resident_required
@idempotent
@blp.arguments(RegistrationFormSchema)
@blp.response(201, RegistrationSchema)
def submit(form):
    """Submit a birth registration."""
    return registrations.as_resident_view(registrations.submit(g.resident, form))


@blp.get("/registrations")
@blp.response(200, RegistrationSchema(many=True))
@resident_required
def list_mine():
    """The resident's birth registrations."""
    return [registrations.as_resident_view(r) for r in registrations.list_for_resident(g.resident)]


@blp.get("/registrations/<int:registration_id>")
@blp.response(200, RegistrationSchema)
@resident_required
def get_mine(registration_id):
    """One of the resident's birth registrations, with its status and history."""
    return registrations.as_resident_view(
        registrations.get_for_resident(g.resident, registration_id))


@blp.put("/registrations/<int:registration_id>")
@resident_required
@blp.arguments(RegistrationFormSchema)
@blp.response(200, RegistrationSchema)
def update_mine(form, registration_id):
    """Edit before review, or fix a returned application and resubmit it."""
    return registrations.as_resident_view(
        registrations.update_before_review(g.resident, registration_id, form))


@blp.post("/registrations/<int:registration_id>/correction")
@resident_required
@blp.arguments(RegistrationFormSchema)
@blp.response(200, RegistrationSchema)
def request_correction(form, registration_id):
    """After approval: the corrected form, reviewed before it replaces the record."""
    return registrations.as_resident_view(
        registrations.request_correction(g.resident, registration_id, form))


@blp.post("/registrations/<int:registration_id>/withdraw")
@blp.response(200, RegistrationSchema)
@resident_required
def withdraw_mine(registration_id):
    """Withdraw a birth registration before it is decided."""
    return registrations.as_resident_view(registrations.withdraw(g.resident, registration_id))


@blp.get("/registrations/<int:registration_id>/certificate.pdf")
@resident_required
@file_answer(blp, "application/pdf", description="The registration certificate")
def certificate(registration_id):
    """The registration certificate (PDF) of a registered birth."""
    reg = registrations.get_for_resident(g.resident, registration_id)
    pdf = certificates.certificate_pdf(reg, registrations.township_of(reg).name)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = (
        f'inline; filename="certificate-{reg.registration_number}.pdf"')
    return response


@blp.post("/uploads")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@resident_required
@idempotent
@blp.response(201, DocumentSchema)
def upload():
    """multipart/form-data with ``kind`` and ``file`` (JPG, PNG or PDF, up to 5 MB)."""
    file = request.files.get("file")
    content = file.read() if file else b""
    return documents.store_upload(g.resident, request.form.get("kind", ""), content)


@blp.get("/uploads/<int:document_id>")
@resident_required
@file_answer(blp, "image/jpeg", "image/png", "application/pdf",
             description="The document as uploaded")
def download(document_id):
    """Download one of the resident's own uploaded documents."""
    document = documents.get_for_resident(g.resident, document_id)
    return file_response(document, documents.read_content(document))
