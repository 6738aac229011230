"""Booking the free pre-pregnancy check from the mini-program."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.models.screening import BOOKING_STATUSES, RISK_CATEGORIES
from wxapp.schemas.base import StrictSchema
from wxapp.schemas.screening import ClinicSchema
from wxapp.services.screening import bookings, couples, results
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import download
from wxapp.web.idempotency import idempotent
from wxapp.web.openapi import file_answer

blp = Blueprint("screening", __name__, url_prefix="", description="Pre-pregnancy check booking")


class SlotSchema(Schema):
    id = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    remaining = fields.Method("remaining_places")

    def remaining_places(self, slot):
        return max(0, slot.capacity - slot.booked)


class BookRequestSchema(StrictSchema):
    slot_id = fields.Integer(required=True)


class NewBookingSchema(BookRequestSchema):
    # When the slot is full: join its waitlist instead of being refused.
    waitlist = fields.Boolean(load_default=False)


class SpouseSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(max=40))
    id_number = fields.String(required=True, validate=validate.Length(max=40))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    hukou_region = fields.String(required=True, validate=validate.Length(max=12))


class CoupleSchema(StrictSchema):
    wife = fields.Nested(SpouseSchema, required=True)
    husband = fields.Nested(SpouseSchema, required=True)
    village_id = fields.Integer(required=True)
    residence_since = fields.Date(allow_none=True, load_default=None)
    planning_pregnancy = fields.Boolean(load_default=True)
    child_order = fields.Integer(required=True)


class CoupleViewSchema(Schema):
    wife = fields.Dict()
    husband = fields.Dict()
    village_id = fields.Integer(allow_none=True)
    residence_since = fields.String(allow_none=True)
    residence_verified = fields.Boolean()
    planning_pregnancy = fields.Boolean()
    child_order = fields.Integer()
    eligibility_problems = fields.List(fields.String())
    # How many WeChat accounts share this couple's bookings and results (1, or 2 once the
    # other spouse has joined with a code).
    accounts = fields.Integer()


class JoinCodeSchema(Schema):
    join_code = fields.String()
    expires_at = fields.DateTime()


class JoinRequestSchema(StrictSchema):
    join_code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class BookingSchema(Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(BOOKING_STATUSES))
    slot_id = fields.Integer()
    clinic = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    checkin_code = fields.String(allow_none=True)
    checkin_qr = fields.String(allow_none=True)
    offer_expires_at = fields.DateTime(allow_none=True)
    child_order = fields.Integer()


@blp.get("/clinics")
@blp.response(200, ClinicSchema(many=True))
def clinics():
    """Clinics offering the free pre-pregnancy check."""
    return bookings.list_clinics()


@blp.get("/clinics/<int:clinic_id>/slots")
@blp.response(200, SlotSchema(many=True))
def slots(clinic_id):
    """A clinic's bookable slots with their remaining places."""
    return bookings.open_slots(clinic_id)


@blp.get("/me/screening-couple")
@blp.response(200, CoupleViewSchema)
@resident_required
def couple():
    """The couple given before, or what is already known (nothing is asked twice)."""
    return couples.prefill(g.resident)


@blp.put("/me/screening-couple")
@resident_required
@blp.arguments(CoupleSchema)
@blp.response(200, CoupleViewSchema)
def save_couple(body):
    """Give or change the couple for the pre-pregnancy check."""
    return couples.as_view(couples.save_couple(g.resident, body))


@blp.post("/me/screening-couple/join-code")
@blp.response(201, JoinCodeSchema)
@resident_required
def join_code():
    """A code (8 digits, valid 24 hours, once) for the other spouse to join this couple, so
    that both see its bookings, results and letter. A new code replaces the previous one."""
    return couples.create_join_code(g.resident)


@blp.post("/me/screening-couple/join")
@resident_required
@blp.arguments(JoinRequestSchema)
@blp.response(200, CoupleViewSchema)
def join(body):
    """The other spouse, having saved the same two ID numbers, joins with the code the first
    spouse gave them. Without it, an account that typed the same numbers sees nothing."""
    return couples.as_view(couples.join_couple(g.resident, body["join_code"]))


@blp.post("/me/bookings")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@resident_required
@idempotent
@blp.arguments(NewBookingSchema)
@blp.response(201, BookingSchema)
def book(body):
    """Book a slot, or join a full slot's waitlist."""
    return bookings.as_view(bookings.book(g.resident, body["slot_id"],
                                          waitlist=body["waitlist"]))


@blp.post("/me/bookings/<int:booking_id>/accept")
@blp.response(200, BookingSchema)
@resident_required
def accept(booking_id):
    """Take the place offered from the waitlist."""
    return bookings.as_view(bookings.accept_offer(g.resident, booking_id))


@blp.get("/me/bookings")
@blp.response(200, BookingSchema(many=True))
@resident_required
def mine():
    """The resident's pre-pregnancy check bookings."""
    return [bookings.as_view(b) for b in bookings.my_bookings(g.resident)]


@blp.post("/me/bookings/<int:booking_id>/cancel")
@blp.response(200, BookingSchema)
@resident_required
def cancel(booking_id):
    """Cancel a booking (up to the cancel cutoff)."""
    return bookings.as_view(bookings.cancel(g.resident, booking_id))


@blp.post("/me/bookings/<int:booking_id>/move")
@resident_required
@blp.arguments(BookRequestSchema)
@blp.response(200, BookingSchema)
def move(body, booking_id):
    """Move a booking to another slot."""
    return bookings.as_view(bookings.move(g.resident, booking_id, body["slot_id"]))


class ScreeningResultSchema(Schema):
    booking_id = fields.Integer()
    risk_category = fields.String(validate=validate.OneOf(RISK_CATEGORIES))
    risk_category_text = fields.String()
    risk_factors = fields.List(fields.String())
    advice = fields.String()
    recorded_at = fields.DateTime()


@blp.get("/me/bookings/<int:booking_id>/result")
@blp.response(200, ScreeningResultSchema)
@resident_required
def result(booking_id):
    """The couple's results and advice, for the account that booked and a spouse who joined
    it; nobody else's (404), whatever ID numbers they typed."""
    return results.resident_view(results.result_for_couple(g.resident, booking_id))


@blp.get("/me/bookings/<int:booking_id>/letter.pdf")
@resident_required
@file_answer(blp, "application/pdf", description="结果及评估建议告知书")
def letter(booking_id):
    """结果及评估建议告知书 as a PDF."""
    pdf = results.assessment_letter_pdf(results.result_for_couple(g.resident, booking_id))
    return download(pdf, "application/pdf", f"assessment-{booking_id}.pdf")
