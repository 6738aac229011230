"""The FAQ for the mini-program: ask a question, browse entries by category."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from wxapp.schemas.base import StrictSchema
from wxapp.services.faq import bot as faq_bot
from wxapp.web.blueprint import Blueprint

blp = Blueprint("faq", __name__, url_prefix="/faq", description="Questions and answers")


class AskSchema(StrictSchema):
    question = fields.String(required=True, validate=validate.Length(min=1, max=500))


class SuggestionSchema(Schema):
    code = fields.String()
    question = fields.String()


class AnswerSchema(Schema):
    matched = fields.Boolean(required=True)
    code = fields.String(allow_none=True)
    answer = fields.String()
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    # Send back with /faq/feedback when the resident taps 有用 / 没用.
    feedback_token = fields.String(allow_none=True)
    # Set when the message was a command rather than a question (转人工 → human, 我的进度 →
    # progress, also booking, pickup, contact, menu, greeting, thanks, smalltalk, useful,
    # not_useful).
    intent = fields.String(allow_none=True)


class FeedbackSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=8, max=200))
    useful = fields.Boolean(required=True)


class EntryQuerySchema(StrictSchema):
    category = fields.String(validate=validate.Length(max=32))


class PublicEntrySchema(Schema):
    code = fields.String()
    category = fields.String()
    question = fields.String()
    answer = fields.String()


@blp.post("/ask")
@blp.arguments(AskSchema)
@blp.response(200, AnswerSchema)
def ask(body):
    """Residents may ask without logging in: the FAQ is public and questions are anonymous."""
    answer = faq_bot.ask(body["question"], "miniprogram")
    return {"matched": answer.outcome == "answered", "code": answer.code,
            "answer": answer.answer, "suggestions": answer.suggestions,
            "intent": answer.intent,
            "feedback_token": faq_bot.feedback_token(answer.log_id)
            if answer.outcome == "answered" and answer.log_id else None}


@blp.post("/feedback")
@blp.arguments(FeedbackSchema)
@blp.response(204)
def feedback(body):
    """有用 / 没用 for an answer given in the mini-program."""
    faq_bot.record_feedback_by_token(body["token"], body["useful"])


@blp.get("/entries")
@blp.arguments(EntryQuerySchema, location="query")
@blp.response(200, PublicEntrySchema(many=True))
def entries(query):
    """Published FAQ entries, optionally of one category."""
    return faq_bot.public_entries(query.get("category"))
