"""The clinic's side of the pre-pregnancy check: the day's list and check-in by code."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from miniprogram_api.schemas import StrictSchema
from wxapp.services import screening_bookings as bookings
from wxapp.web.auth import staff_required

blp = Blueprint("staff_screening", __name__, url_prefix="/clinics",
                description="Pre-pregnancy check clinics")
CLINIC_STAFF = ("clinic", "township_admin", "reviewer")


class DayQuerySchema(StrictSchema):
    date = fields.Date(required=True)


class CheckInSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))


class DayBookingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    starts_at = fields.DateTime()
    clinic = fields.String()


@blp.get("/<int:clinic_id>/day")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, DayBookingSchema(many=True))
@staff_required(*CLINIC_STAFF)
def day(query, clinic_id):
    start = datetime.combine(query["date"], datetime.min.time(), tzinfo=bookings.CHINA)
    return [bookings.as_view(b) for b in bookings.clinic_day(
        g.staff, clinic_id, start, start + timedelta(days=1))]


@blp.post("/<int:clinic_id>/check-in")
@blp.arguments(CheckInSchema)
@blp.response(200, DayBookingSchema)
@staff_required(*CLINIC_STAFF)
def check_in(body, clinic_id):
    return bookings.as_view(bookings.check_in(g.staff, clinic_id, body["code"]))




@blp.post("/<int:clinic_id>/bookings/<int:booking_id>/missed")
@blp.response(200, DayBookingSchema)
@staff_required(*CLINIC_STAFF)
def missed(clinic_id, booking_id):
    """未到检, after the slot is over."""
    return bookings.as_view(bookings.mark_missed(g.staff, clinic_id, booking_id))
