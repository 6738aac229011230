"""The clinic's side of the pre-pregnancy check: the day's list and check-in by code."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.schemas.base import StrictSchema
from wxapp.schemas.screening import ClinicSchema
from wxapp.services.screening import bookings, schedules
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.idempotency import idempotent

blp = Blueprint("staff_screening", __name__, url_prefix="/clinics",
                description="Pre-pregnancy check clinics")
CLINIC_STAFF = ("clinic", "township_admin", "reviewer")


class DayQuerySchema(StrictSchema):
    date = fields.Date(required=True)


class CheckInSchema(StrictSchema):
    # The six digits, typed, or the QR payload, scanned.
    code = fields.String(required=True, validate=validate.Regexp(r"^(WXAPP-CHECKIN:)?\d{6}$"))


class WindowSchema(StrictSchema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=6))
    starts = fields.Time(required=True, format="%H:%M")
    ends = fields.Time(required=True, format="%H:%M")
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=500))


class ScheduleSchema(StrictSchema):
    windows = fields.List(fields.Nested(WindowSchema), required=True,
                          validate=validate.Length(max=50))


class ClosureSchema(StrictSchema):
    date = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=100))


class StaffClinicSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=64))
    address = fields.String(required=True, validate=validate.Length(min=2, max=200))
    phone = fields.String(required=True, validate=validate.Length(min=3, max=32))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    active = fields.Boolean()


class StaffClinicChangeSchema(StaffClinicSchema):
    """The same fields, each optional: send only what changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class StaffClinicViewSchema(ClinicSchema):
    active = fields.Boolean()


class ClosureResultSchema(Schema):
    day = fields.Date()
    slots_closed = fields.Integer()
    bookings_cancelled = fields.Integer()


class DayBookingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    starts_at = fields.DateTime()
    clinic = fields.String()
    couple_id = fields.Integer(allow_none=True)
    wife_name = fields.String(allow_none=True)
    husband_name = fields.String(allow_none=True)
    child_order = fields.Integer()


@blp.get("")
@blp.response(200, StaffClinicViewSchema(many=True))
@staff_required(*CLINIC_STAFF)
def clinics():
    """Clinics the staff member may see."""
    return schedules.clinics_for(g.staff)


@blp.post("")
@staff_required("township_admin")
@idempotent
@blp.arguments(StaffClinicSchema)
@blp.response(201, StaffClinicViewSchema)
def create_clinic(body):
    """Add a clinic."""
    return schedules.save_clinic(g.staff, None, body)


@blp.put("/<int:clinic_id>")
@staff_required("township_admin")
@blp.arguments(StaffClinicChangeSchema)
@blp.response(200, StaffClinicViewSchema)
def update_clinic(body, clinic_id):
    """Change a clinic's details."""
    return schedules.save_clinic(g.staff, bookings.clinic_for_staff(g.staff, clinic_id), body)


@blp.get("/<int:clinic_id>/day")
@staff_required(*CLINIC_STAFF)
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, DayBookingSchema(many=True))
def day(query, clinic_id):
    """A clinic's bookings on one day."""
    start = datetime.combine(query["date"], datetime.min.time(), tzinfo=bookings.CHINA)
    return bookings.staff_day_view(g.staff, bookings.clinic_day(
        g.staff, clinic_id, start, start + timedelta(days=1)))


@blp.post("/<int:clinic_id>/check-in")
@staff_required(*CLINIC_STAFF)
@blp.arguments(CheckInSchema)
@blp.response(200, DayBookingSchema)
def check_in(body, clinic_id):
    """Check a couple in with their code or QR payload."""
    return bookings.as_view(bookings.check_in(g.staff, clinic_id, body["code"]))




@blp.post("/<int:clinic_id>/bookings/<int:booking_id>/missed")
@blp.response(200, DayBookingSchema)
@staff_required(*CLINIC_STAFF)
def missed(clinic_id, booking_id):
    """未到检, after the slot is over."""
    return bookings.as_view(bookings.mark_missed(g.staff, clinic_id, booking_id))


@blp.get("/<int:clinic_id>/schedule")
@blp.response(200, ScheduleSchema)
@staff_required(*CLINIC_STAFF)
def schedule(clinic_id):
    """A clinic's weekly schedule."""
    clinic = bookings.clinic_for_staff(g.staff, clinic_id)
    return {"windows": schedules.schedule_of(clinic)}


@blp.put("/<int:clinic_id>/schedule")
@staff_required("township_admin", "clinic")
@blp.arguments(ScheduleSchema)
@blp.response(200, ScheduleSchema)
def set_schedule(body, clinic_id):
    """The weekly template; the daily job opens slots from it SLOT_GENERATION_WEEKS ahead."""
    clinic = bookings.clinic_for_staff(g.staff, clinic_id)
    windows = [schedules.Window(**w) for w in body["windows"]]
    return {"windows": schedules.set_schedule(g.staff, clinic, windows)}


@blp.post("/<int:clinic_id>/closures")
@staff_required("township_admin", "clinic")
@blp.alt_response(201, schema=ClosureResultSchema, success=True)
@idempotent
@blp.arguments(ClosureSchema)
def close_day(body, clinic_id):
    """停诊: closes the day and cancels its bookings, telling each couple."""
    clinic = bookings.clinic_for_staff(g.staff, clinic_id)
    return schedules.close_day(g.staff, clinic, body["date"], body["reason"]), 201
