"""The FAQ for the mini-program: ask a question, browse entries by category."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from miniprogram_api.schemas import StrictSchema
from wxapp.services import faq_bot

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
            "answer": answer.answer, "suggestions": answer.suggestions}


@blp.get("/entries")
@blp.arguments(EntryQuerySchema, location="query")
@blp.response(200, PublicEntrySchema(many=True))
def entries(query):
    return faq_bot.public_entries(query.get("category"))
