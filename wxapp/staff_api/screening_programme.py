"""The health office's side of the pre-pregnancy check programme: couples, results,
follow-up and statistics."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from miniprogram_api.schemas import StrictSchema
from wxapp.security.masking import mask_id_number, mask_name
from wxapp.services import screening_couples as couples
from wxapp.web.auth import staff_required

blp = Blueprint("staff_screening_programme", __name__, url_prefix="/screening",
                description="Pre-pregnancy check programme")
OFFICE = ("township_admin", "reviewer", "village_worker", "clinic")


class StaffCoupleSchema(Schema):
    id = fields.Integer()
    wife_name = fields.Function(lambda c: mask_name(c.wife_name))
    wife_id_number = fields.Function(lambda c: mask_id_number(c.wife_id_number))
    husband_name = fields.Function(lambda c: mask_name(c.husband_name))
    husband_id_number = fields.Function(lambda c: mask_id_number(c.husband_id_number))
    village_id = fields.Integer()
    residence_since = fields.Date(allow_none=True)
    residence_verified = fields.Function(lambda c: c.residence_verified_by is not None)
    child_order = fields.Integer()
    eligibility_problems = fields.Function(lambda c: couples.eligibility_problems(c))


class AllowanceSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


@blp.get("/couples/<int:couple_id>")
@blp.response(200, StaffCoupleSchema)
@staff_required(*OFFICE)
def couple(couple_id):
    return couples.couple_for_staff(g.staff, couple_id)


@blp.post("/couples/<int:couple_id>/verify-residence")
@blp.response(200, StaffCoupleSchema)
@staff_required("township_admin", "reviewer", "village_worker")
def verify_residence(couple_id):
    """The village worker has confirmed the declared residence date."""
    return couples.verify_residence(g.staff, couple_id)


@blp.post("/couples/<int:couple_id>/allowances")
@blp.arguments(AllowanceSchema)
@staff_required("township_admin", "reviewer")
def allow(body, couple_id):
    """Allow another free check for the same child (e.g. after a pregnancy loss)."""
    allowance = couples.allow_another_check(g.staff, couple_id, body["reason"])
    return {"id": allowance.id, "child_order": allowance.child_order}, 201
