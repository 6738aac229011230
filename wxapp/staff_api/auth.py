"""Staff sign-in and sign-out."""
from __future__ import annotations

from flask import g, request
from marshmallow import fields, validate

from wxapp.schemas.base import StrictSchema, TokenSchema
from wxapp.services import staff_notices
from wxapp.services.accounts import staff_login as staff_auth
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint

blp = Blueprint("staff_auth", __name__, url_prefix="/auth", description="Staff sign-in")


class StaffLoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256),
                             load_only=True)


class StaffMeSchema(StrictSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    township_id = fields.Integer()
    village_id = fields.Integer(allow_none=True)
    # The clinics clinic staff work at (empty for other roles): the console offers only these.
    clinic_ids = fields.List(fields.Integer())


@blp.post("/login")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.arguments(StaffLoginSchema)
@blp.response(200, TokenSchema)
def login(body):
    """Staff sign-in with username and password."""
    token, expires_in = staff_auth.login(body["username"], body["password"],
                                         address=request.remote_addr)
    return {"token": token, "expires_in": expires_in}


@blp.post("/logout")
@blp.response(204)
@staff_required()
def logout():
    """Staff sign-out: the token stops working at once."""
    staff_auth.logout(g.staff_session_id)


class NoticeSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    day = fields.Date()
    text = fields.String()
    created_at = fields.DateTime()


@blp.get("/notices")
@blp.response(200, NoticeSchema(many=True))
@staff_required()
def notices():
    """Notices for the signed-in staff member (review deadlines)."""
    return staff_notices.notices_for(g.staff)


@blp.get("/me")
@blp.response(200, StaffMeSchema)
@staff_required()
def me():
    """The signed-in staff member, her role and scope."""
    return g.staff
