"""Shapes of the birth-registration form, spoken by the mini-program, by staff filing 代办 and
by the demo seeding. Types only: the rules and their Chinese messages live in
wxapp.services.registration.rules."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from wxapp.models.documents import DOCUMENT_KINDS
from wxapp.models.registrations import STATUS_LABELS
from wxapp.schemas.base import StrictSchema
from wxapp.services.registration.rules import (
    CHILD_RELATIONS,
    DOCUMENT_LABELS,
    MARITAL_STATUSES,
    PREGNANCY_STATUSES,
    ROLES,
)


def documented_enum(values) -> dict:
    """The allowed values, in the OpenAPI document only. The form's rules check them, with
    every other problem of the form at once (wxapp.services.registration.rules): a OneOf here
    would stop at the first bad choice and hide the rest."""
    return {"enum": list(values)}


class ParentSchema(StrictSchema):
    name = fields.String(allow_none=True, validate=validate.Length(max=40))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=40))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    hukou_region = fields.String(allow_none=True, validate=validate.Length(max=12))
    # Unset: first_marriage.
    marital_status = fields.String(allow_none=True, validate=validate.Length(max=16),
                                   metadata=documented_enum(MARITAL_STATUSES))


class ChildSchema(StrictSchema):
    birth_date = fields.String(allow_none=True, validate=validate.Length(max=10))
    relation = fields.String(allow_none=True, validate=validate.Length(max=16),
                             metadata=documented_enum(CHILD_RELATIONS))
    alive = fields.Boolean(load_default=True)
    adopted = fields.Boolean(load_default=False)


class RegistrationFormSchema(StrictSchema):
    filer_role = fields.String(allow_none=True, validate=validate.Length(max=8),
                               metadata=documented_enum(ROLES))
    mother = fields.Nested(ParentSchema, allow_none=True)
    father = fields.Nested(ParentSchema, allow_none=True)
    marriage_date = fields.String(allow_none=True, validate=validate.Length(max=10))
    pregnancy_status = fields.String(allow_none=True, validate=validate.Length(max=12),
                                     metadata=documented_enum(PREGNANCY_STATUSES))
    expected_or_birth_date = fields.String(allow_none=True, validate=validate.Length(max=10))
    existing_children = fields.List(fields.Nested(ChildSchema), load_default=list)
    village_id = fields.Integer(allow_none=True)
    # Ids from POST /me/uploads, and the kinds covered by a signed promise instead.
    documents = fields.List(fields.Integer(), load_default=list)
    promised_documents = fields.List(fields.String(validate=validate.Length(max=32),
                                                   metadata=documented_enum(DOCUMENT_LABELS)),
                                     load_default=list)


class DocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(DOCUMENT_KINDS))
    content_type = fields.String()
    size = fields.Integer()


class ConsentSchema(StrictSchema):
    text_version = fields.String(required=True, validate=validate.Length(min=1, max=16))


class ConsentTextSchema(Schema):
    purpose = fields.String(metadata={"description": "what the consent is for"})
    version = fields.String(metadata={"description": "send it back as ``text_version`` in "
                                      "POST /me/consents"})
    title = fields.String()
    paragraphs = fields.List(fields.String(), metadata={"description": "shown in this order"})


class ConsentResultSchema(Schema):
    purpose = fields.String()
    text_version = fields.String()
    consented_at = fields.DateTime()


class EventSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_type = fields.String()
    note = fields.String(allow_none=True)
    at = fields.DateTime()


class ReturnItemSchema(StrictSchema):
    field = fields.String(allow_none=True, validate=validate.Length(max=64))
    message = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RegistrationSchema(Schema):
    """The resident's own view, and the reviewer's detail view (both audited reads)."""
    id = fields.Integer()
    application_no = fields.String()
    status = fields.String(validate=validate.OneOf(list(STATUS_LABELS)))
    status_label = fields.String()
    filer_role = fields.String(validate=validate.OneOf(ROLES))
    mother = fields.Nested(ParentSchema)
    father = fields.Nested(ParentSchema)
    marriage_date = fields.Date(allow_none=True)
    pregnancy_status = fields.String(validate=validate.OneOf(PREGNANCY_STATUSES))
    expected_or_birth_date = fields.Date(allow_none=True)
    existing_children = fields.List(fields.Dict())
    child_order = fields.Integer()
    village_id = fields.Integer()
    submitted_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Boolean()
    return_items = fields.List(fields.Nested(ReturnItemSchema))
    reject_reason = fields.String(allow_none=True)
    registration_number = fields.String(allow_none=True)
    certificate_code = fields.String(allow_none=True)
    promised_documents = fields.List(fields.String())
    documents = fields.List(fields.Nested(DocumentSchema))
    history = fields.List(fields.Nested(EventSchema))


class StaffRegistrationSchema(RegistrationSchema):
    conflict_flags = fields.List(fields.String())
    filed_by_staff_id = fields.Integer(allow_none=True)


class OnBehalfFormSchema(RegistrationFormSchema):
    # The worker confirms the resident signed the consent form and showed the originals.
    consent_confirmed = fields.Boolean(required=True)


class RegistrationListItemSchema(Schema):
    """Lists carry masked personal data only."""
    id = fields.Integer()
    application_no = fields.String()
    status = fields.String()
    status_label = fields.String()
    mother_name = fields.String()
    mother_id_number = fields.String()
    child_order = fields.Integer()
    village_id = fields.Integer()
    submitted_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Boolean()
    conflict_flags = fields.List(fields.String())
