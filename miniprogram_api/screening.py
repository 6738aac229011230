"""Booking the free pre-pregnancy check from the mini-program."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from miniprogram_api.schemas import StrictSchema
from wxapp.services import screening_bookings as bookings
from wxapp.web.auth import resident_required
from wxapp.web.idempotency import idempotent

blp = Blueprint("screening", __name__, url_prefix="", description="Pre-pregnancy check booking")


class ClinicSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    phone = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class SlotSchema(Schema):
    id = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    remaining = fields.Method("remaining_places")

    def remaining_places(self, slot):
        return max(0, slot.capacity - slot.booked)


class BookRequestSchema(StrictSchema):
    slot_id = fields.Integer(required=True)


class BookingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    slot_id = fields.Integer()
    clinic = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    checkin_code = fields.String(allow_none=True)


@blp.get("/clinics")
@blp.response(200, ClinicSchema(many=True))
def clinics():
    return bookings.list_clinics()


@blp.get("/clinics/<int:clinic_id>/slots")
@blp.response(200, SlotSchema(many=True))
def slots(clinic_id):
    return bookings.open_slots(clinic_id)


@blp.post("/me/bookings")
@resident_required
@idempotent
@blp.arguments(BookRequestSchema)
@blp.response(201, BookingSchema)
def book(body):
    return bookings.as_view(bookings.book(g.resident, body["slot_id"]))


@blp.get("/me/bookings")
@blp.response(200, BookingSchema(many=True))
@resident_required
def mine():
    return [bookings.as_view(b) for b in bookings.my_bookings(g.resident)]


@blp.post("/me/bookings/<int:booking_id>/cancel")
@blp.response(200, BookingSchema)
@resident_required
def cancel(booking_id):
    return bookings.as_view(bookings.cancel(g.resident, booking_id))


@blp.post("/me/bookings/<int:booking_id>/move")
@blp.arguments(BookRequestSchema)
@blp.response(200, BookingSchema)
@resident_required
def move(body, booking_id):
    return bookings.as_view(bookings.move(g.resident, booking_id, body["slot_id"]))
