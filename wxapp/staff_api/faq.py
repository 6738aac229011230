"""Staff's knowledge-base editor, unanswered questions and hand-overs (for the console)."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.schemas.base import StrictSchema
from wxapp.schemas.notices import NoticeDeliverySchema
from wxapp.security.masking import mask_identifiers
from wxapp.services import notice_deliveries
from wxapp.services.chat import handovers
from wxapp.services.faq import admin as faq_admin
from wxapp.services.faq import not_ours
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import download
from wxapp.web.idempotency import idempotent
from wxapp.web.openapi import file_answer

blp = Blueprint("staff_faq", __name__, url_prefix="/faq", description="FAQ administration")
EDITORS = ("township_admin", "reviewer")
# Staff attach residents' own wordings to an entry from the console, month after month: the
# shipped base already holds ~100 for its busiest entries, beyond the default list bound.
SIMILAR_QUESTIONS_MAX = 500


class EntrySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=3, max=64))
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    question = fields.String(required=True, validate=validate.Length(min=1, max=200))
    similar_questions = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                                    validate=validate.Length(max=SIMILAR_QUESTIONS_MAX),
                                    load_default=list)
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=32)),
                           load_default=list)
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    enabled = fields.Boolean(load_default=True)
    hit_count = fields.Integer(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    class Meta:
        unknown = "raise"


class EntryPatchSchema(StrictSchema):
    category = fields.String(validate=validate.Length(min=1, max=32))
    question = fields.String(validate=validate.Length(min=1, max=200))
    similar_questions = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                                    validate=validate.Length(max=SIMILAR_QUESTIONS_MAX))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=32)))
    answer = fields.String(validate=validate.Length(min=1, max=2000))
    enabled = fields.Boolean()


class EntryListQuerySchema(StrictSchema):
    category = fields.String()
    enabled = fields.Boolean()


class ImportResultSchema(Schema):
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class UnansweredGroupSchema(Schema):
    representative = fields.String()
    count = fields.Integer()
    log_ids = fields.List(fields.Integer())
    examples = fields.List(fields.String())


class AttachSchema(StrictSchema):
    # The log ids of one group from /unanswered; its first question is added.
    log_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=500))
    code = fields.String(required=True)


class NotOursMarkSchema(StrictSchema):
    # The log ids of one group from /unanswered; all its wordings are marked.
    log_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=500))


class NotOursMarkedSchema(Schema):
    question = fields.String()
    marked = fields.Boolean()  # false: the group was marked already


class NotOursAddSchema(StrictSchema):
    # Questions another office hears, or another township's list. The service bounds the
    # distinct questions (not_ours.MAX_PASTED, MAX_CHARS) with the codes and messages the
    # console shows; the list as sent may hold blanks and repeats besides.
    questions = fields.List(fields.String(), required=True,
                            validate=validate.Length(max=5 * not_ours.MAX_PASTED))


class NotOursAddedSchema(Schema):
    added = fields.Integer()
    already = fields.Integer()  # listed before: sent again, a list adds nothing


class NotOursQuestionSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    marked_at = fields.DateTime()
    marked_by = fields.String(allow_none=True)


class IdentifiersMasked(fields.String):
    """A resident's free text as the console lists it: the ID and phone numbers she typed
    masked. In full only through the console's audited reveal (record kind ``handover``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(None if value is None else mask_identifiers(value),
                                  attr, obj, **kwargs)


class HandoverSchema(Schema):
    id = fields.Integer()
    channel = fields.String()
    purpose = fields.String(metadata={"description": "question or filing_help (请村里代办)"})
    village_id = fields.Integer(allow_none=True)
    message = IdentifiersMasked(metadata={
        "description": "her message with the ID and phone numbers in it masked; the full "
                       "text only through the console's audited reveal"})
    status = fields.String()
    answer = fields.String(allow_none=True)
    created_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)


class HandoverAnswerSchema(StrictSchema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=1000))


@blp.get("/entries")
@staff_required()
@blp.arguments(EntryListQuerySchema, location="query")
@blp.response(200, EntrySchema(many=True))
def list_entries(query):
    """Knowledge-base entries, including unpublished ones."""
    return [faq_admin.entry_as_dict(e) for e in
            faq_admin.list_entries(query.get("category"), query.get("enabled"))]


@blp.post("/entries")
@staff_required(*EDITORS)
@idempotent
@blp.arguments(EntrySchema)
@blp.response(201, EntrySchema)
def create_entry(body):
    """Add a knowledge-base entry."""
    return faq_admin.entry_as_dict(faq_admin.create_entry(g.staff, body))


@blp.get("/entries/<code>")
@blp.response(200, EntrySchema)
@staff_required()
def get_entry(code):
    """One knowledge-base entry."""
    return faq_admin.entry_as_dict(faq_admin.get_entry(code))


@blp.patch("/entries/<code>")
@staff_required(*EDITORS)
@blp.arguments(EntryPatchSchema)
@blp.response(200, EntrySchema)
def update_entry(changes, code):
    """Edit a knowledge-base entry."""
    return faq_admin.entry_as_dict(faq_admin.update_entry(g.staff, code, changes))


@blp.post("/entries/<code>/disable")
@blp.response(200, EntrySchema)
@staff_required(*EDITORS)
def disable_entry(code):
    """Withdraw a knowledge-base entry from answers."""
    return faq_admin.entry_as_dict(faq_admin.update_entry(g.staff, code, {"enabled": False}))


@blp.get("/export")
@blp.response(200, EntrySchema(many=True))
@staff_required()
def export_entries():
    """Export every knowledge-base entry."""
    return faq_admin.export_entries()


@blp.post("/import")
@staff_required(*EDITORS)
@blp.arguments(EntrySchema(many=True))
@blp.response(200, ImportResultSchema)
def import_entries(entries):
    """Import knowledge-base entries (all validated first; a bad file changes nothing)."""
    return faq_admin.import_entries(entries, staff_id=g.staff.id)


@blp.get("/unanswered")
@blp.response(200, UnansweredGroupSchema(many=True))
@staff_required()
def unanswered():
    """Questions the bot could not answer, most frequent first."""
    return faq_admin.unanswered_groups()


@blp.post("/unanswered/attach")
@staff_required(*EDITORS)
@blp.arguments(AttachSchema)
@blp.response(200, EntrySchema)
def attach(body):
    """Attach unanswered questions to an entry as new wordings."""
    entry = faq_admin.attach_as_similar_question(g.staff, body["log_ids"], body["code"])
    return faq_admin.entry_as_dict(entry)


@blp.post("/unanswered/not-ours")
@staff_required(*EDITORS)
@blp.arguments(NotOursMarkSchema)
@blp.response(200, NotOursMarkedSchema)
def mark_not_ours(body):
    """Mark a group of unanswered questions as not the office's business (another office's
    errand, a doctor's question): questions like them are refused from then on."""
    question, marked = not_ours.mark(g.staff, body["log_ids"])
    return {"question": question, "marked": marked}


@blp.get("/not-ours")
@blp.response(200, NotOursQuestionSchema(many=True))
@staff_required(*EDITORS)
def not_ours_list():
    """The questions marked as not the office's business, newest first."""
    return not_ours.listed()


@blp.post("/not-ours")
@staff_required(*EDITORS)
@blp.arguments(NotOursAddSchema)
@blp.response(200, NotOursAddedSchema)
def add_not_ours(body):
    """Add a list of questions as not the office's business (nothing is added when any of
    them cannot be: too many, too long, or one of the base's own phrasings)."""
    added, already = not_ours.add_listed(g.staff, body["questions"])
    return {"added": added, "already": already}


@blp.get("/not-ours.txt")
@staff_required(*EDITORS)
@file_answer(blp, "text/plain", description="不属于本办业务的问题，每行一个")
def not_ours_download():
    """The list as text, one question a line, oldest first (audited: residents wrote them)."""
    text = not_ours.as_text(g.staff)
    name, ascii_name = not_ours.TEXT_FILE_NAMES
    return download(text.encode("utf-8"), "text/plain; charset=utf-8", name,
                    ascii_filename=ascii_name)


@blp.delete("/not-ours/<int:question_id>")
@blp.response(204)
@staff_required(*EDITORS)
def unmark_not_ours(question_id):
    """Take a question off the list (sent again, nothing is left to take off)."""
    not_ours.unmark(g.staff, question_id)


@blp.get("/handovers")
@blp.response(200, HandoverSchema(many=True))
@staff_required(*EDITORS, "village_worker")
def open_handovers():
    """Messages residents left for a person, not yet answered (a village worker: the
    请村里代办 requests of her village)."""
    return handovers.list_open(g.staff)


@blp.post("/handovers/<int:handover_id>/answer")
@staff_required(*EDITORS, "village_worker")
@blp.arguments(HandoverAnswerSchema)
@blp.response(200, HandoverSchema)
def answer_handover(body, handover_id):
    """Answer a question a resident left for a person."""
    return handovers.answer(g.staff, handover_id, body["answer"])


@blp.get("/handovers/<int:handover_id>/notices")
@blp.response(200, NoticeDeliverySchema(many=True))
@staff_required(*EDITORS, "village_worker")
def handover_notices(handover_id):
    """How the answer to a message reached the resident (chat, text, or her notice list)."""
    return notice_deliveries.about_handover(g.staff, handover_id)
