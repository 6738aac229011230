"""Staff accounts, managed by the township office (township_admin) for its own township."""
from __future__ import annotations

from types import SimpleNamespace

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.models import STAFF_ROLES
from wxapp.schemas.base import StrictSchema
from wxapp.security.masking import mask_phone
from wxapp.services.accounts import staff_accounts
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint

blp = Blueprint("staff_accounts", __name__, url_prefix="/accounts",
                description="Staff accounts (township office)")
ADMIN = "township_admin"
# Answers that carry a password must not be kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}
_ID = validate.Range(min=1, max=2**31 - 1)


class AccountQuerySchema(StrictSchema):
    role = fields.String(validate=validate.OneOf(STAFF_ROLES))
    active = fields.Boolean()


class PlacementFields(StrictSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=64))
    role = fields.String(validate=validate.OneOf(STAFF_ROLES))
    village_id = fields.Integer(allow_none=True, validate=_ID)
    clinic_ids = fields.List(fields.Integer(validate=_ID), validate=validate.Length(max=20))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20), metadata={
        "description": "A mainland mobile number for alerts by text message; null removes it."})


class AccountCreateSchema(PlacementFields):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    # Leave it out to have one generated, shown once in the answer.
    password = fields.String(load_only=True, validate=validate.Length(max=256))


class AccountChangeSchema(PlacementFields):
    """Send only what changes; a new role drops the old role's village or clinics."""


class PasswordResetSchema(StrictSchema):
    password = fields.String(load_only=True, validate=validate.Length(max=256))


class AccountSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    township_id = fields.Integer()
    village_id = fields.Integer(allow_none=True)
    clinic_ids = fields.List(fields.Integer())
    phone = fields.Function(lambda staff: mask_phone(staff.phone) if staff.phone else None,
                            metadata={"description": "Masked."})
    active = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class CreatedAccountSchema(AccountSchema):
    generated_password = fields.String(allow_none=True)


class PasswordResetResultSchema(Schema):
    id = fields.Integer()
    generated_password = fields.String(allow_none=True)


def _with_password(account, generated: str | None) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(account, name) for name in AccountSchema().fields},
                           generated_password=generated)


@blp.get("")
@staff_required(ADMIN)
@blp.arguments(AccountQuerySchema, location="query")
@blp.response(200, AccountSchema(many=True))
def accounts(query):
    """Staff accounts of the township."""
    return staff_accounts.list_accounts(g.staff, query.get("role"), query.get("active"))


@blp.post("")
@staff_required(ADMIN)
@blp.arguments(AccountCreateSchema)
@blp.response(201, CreatedAccountSchema)
def create(body):
    """A retry after a lost answer gets 409 staff.username_taken and creates nothing; a
    generated password lost with the answer is replaced by resetting it. (No stored replay:
    it would keep the password.)"""
    account, generated = staff_accounts.create_account(
        g.staff, username=body["username"], display_name=body["display_name"],
        role=body["role"], village_id=body.get("village_id"),
        clinic_ids=body.get("clinic_ids", ()), password=body.get("password"),
        phone=body.get("phone"))
    return _with_password(account, generated), 201, NO_STORE


@blp.get("/<int:staff_id>")
@blp.response(200, AccountSchema)
@staff_required(ADMIN)
def account(staff_id):
    """One staff account."""
    return staff_accounts.account_for_admin(g.staff, staff_id)


@blp.put("/<int:staff_id>")
@staff_required(ADMIN)
@blp.arguments(AccountChangeSchema)
@blp.response(200, AccountSchema)
def change(body, staff_id):
    """Change a staff account's role, village or clinics."""
    return staff_accounts.change_account(g.staff, staff_id, body)


@blp.post("/<int:staff_id>/disable")
@blp.response(200, AccountSchema)
@staff_required(ADMIN)
def disable(staff_id):
    """Ends the account's open sessions at once."""
    return staff_accounts.set_active(g.staff, staff_id, False)


@blp.post("/<int:staff_id>/enable")
@blp.response(200, AccountSchema)
@staff_required(ADMIN)
def enable(staff_id):
    """Enable a disabled staff account."""
    return staff_accounts.set_active(g.staff, staff_id, True)


@blp.post("/<int:staff_id>/password")
@staff_required(ADMIN)
@blp.arguments(PasswordResetSchema)
@blp.response(200, PasswordResetResultSchema)
def reset_password(body, staff_id):
    """A new password, given or generated (shown once); the account's sessions end."""
    account, generated = staff_accounts.reset_password(g.staff, staff_id, body.get("password"))
    return {"id": account.id, "generated_password": generated}, 200, NO_STORE
