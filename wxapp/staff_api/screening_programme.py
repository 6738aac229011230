"""The health office's side of the pre-pregnancy check programme: couples, results,
follow-up and statistics."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from wxapp.formats.spreadsheets import Chart, Sheet
from wxapp.schemas.base import StrictSchema
from wxapp.schemas.notices import NoticeDeliverySchema
from wxapp.security.masking import mask_id_number, mask_name
from wxapp.services import notice_deliveries
from wxapp.services.screening import couples, results, stats
from wxapp.web.auth import staff_required
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import download, table_download
from wxapp.web.idempotency import idempotent
from wxapp.web.openapi import file_answer, report_answer

blp = Blueprint("staff_screening_programme", __name__, url_prefix="/screening",
                description="Pre-pregnancy check programme")
OFFICE = ("township_admin", "reviewer", "village_worker", "clinic")
# A couple's record is eligibility work for the office and the village (ID numbers, hukou,
# residence); the clinic works from its day list and the booking, so it does not read it.
COUPLE_READERS = ("township_admin", "reviewer", "village_worker")


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


class AllowanceResultSchema(Schema):
    id = fields.Integer()
    child_order = fields.Integer()


class AllowanceSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


@blp.get("/couples/<int:couple_id>")
@blp.response(200, StaffCoupleSchema)
@staff_required(*COUPLE_READERS)
def couple(couple_id):
    """One screening couple (audited)."""
    return couples.couple_for_staff(g.staff, couple_id)


@blp.post("/couples/<int:couple_id>/verify-residence")
@blp.response(200, StaffCoupleSchema)
@staff_required("township_admin", "reviewer", "village_worker")
def verify_residence(couple_id):
    """The village worker has confirmed the declared residence date."""
    return couples.verify_residence(g.staff, couple_id)


class StaffJoinCodeSchema(Schema):
    join_code = fields.String()
    expires_at = fields.DateTime()


@blp.post("/couples/<int:couple_id>/join-code")
@blp.response(201, StaffJoinCodeSchema)
@staff_required("township_admin", "reviewer", "village_worker")
def join_code(couple_id):
    """Having seen both spouses' ID cards in person: a code the other spouse's account joins
    the couple with (when the first spouse cannot give one). Audited."""
    return couples.join_code_for_staff(g.staff, couple_id)


@blp.post("/couples/<int:couple_id>/allowances")
@staff_required("township_admin", "reviewer")
@blp.alt_response(201, schema=AllowanceResultSchema, success=True)
@idempotent
@blp.arguments(AllowanceSchema)
def allow(body, couple_id):
    """Allow another free check for the same child (e.g. after a pregnancy loss)."""
    allowance = couples.allow_another_check(g.staff, couple_id, body["reason"])
    return {"id": allowance.id, "child_order": allowance.child_order}, 201


class ResultsSchema(StrictSchema):
    risk_category = fields.String(required=True,
                                  validate=validate.OneOf(list(results.RISK_CATEGORY_TEXT)))
    risk_factors = fields.List(fields.String(validate=validate.Length(max=32)),
                               load_default=list, validate=validate.Length(max=20))
    advice = fields.String(required=True, validate=validate.Length(
        min=results.ADVICE_MIN_CHARS, max=results.ADVICE_MAX_CHARS))
    notes = fields.String(allow_none=True, validate=validate.Length(max=results.NOTES_MAX_CHARS))


class StaffResultSchema(Schema):
    booking_id = fields.Integer()
    risk_category = fields.String()
    risk_category_text = fields.String()
    risk_factors = fields.List(fields.String())
    risk_factor_codes = fields.List(fields.String())
    advice = fields.String()
    notes = fields.String(allow_none=True)
    recorded_at = fields.DateTime()
    recorded_by = fields.Integer()


class ScreeningFollowUpQuerySchema(StrictSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "done"]))
    kind = fields.String(validate=validate.OneOf(list(results.FOLLOW_UP_DUE_DAYS)))


class ScreeningFollowUpSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    kind = fields.String()
    due_on = fields.Date()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    village_id = fields.Function(lambda f: f.booking.village_id)


class ScreeningFollowUpRecordSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.Length(max=24))
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))


@blp.post("/bookings/<int:booking_id>/results")
@staff_required("clinic", "township_admin")
@blp.arguments(ResultsSchema)
@blp.response(200, StaffResultSchema)
def record_results(body, booking_id):
    """Recording again corrects the results; the couple is told once."""
    return results.staff_view(results.record_results(
        g.staff, booking_id, body["risk_category"], body["risk_factors"], body["advice"],
        body.get("notes")))


@blp.get("/bookings/<int:booking_id>/results")
@blp.response(200, StaffResultSchema)
@staff_required(*OFFICE)
def read_results(booking_id):
    """A booking's check results."""
    return results.staff_view(results.result_for_staff(g.staff, booking_id))


@blp.get("/bookings/<int:booking_id>/notices")
@blp.response(200, NoticeDeliverySchema(many=True))
@staff_required(*OFFICE)
def booking_notices(booking_id):
    """What the couple was told about this booking, and which channel reached each of them."""
    return notice_deliveries.about_booking(g.staff, booking_id)


@blp.get("/bookings/<int:booking_id>/letter.pdf")
@staff_required("clinic", "township_admin")
@file_answer(blp, "application/pdf", description="结果及评估建议告知书")
def letter(booking_id):
    """A booking's results letter (PDF)."""
    pdf = results.assessment_letter_pdf(results.result_for_staff(g.staff, booking_id))
    return download(pdf, "application/pdf", f"assessment-{booking_id}.pdf")


@blp.get("/follow-ups")
@staff_required(*OFFICE)
@blp.arguments(ScreeningFollowUpQuerySchema, location="query")
@blp.response(200, ScreeningFollowUpSchema(many=True))
def follow_ups(query):
    """Follow-ups of checked couples, by status and kind."""
    return results.follow_ups_for(g.staff, query["status"], query.get("kind"))


@blp.post("/follow-ups/<int:follow_up_id>")
@staff_required(*OFFICE)
@blp.arguments(ScreeningFollowUpRecordSchema)
@blp.response(200, ScreeningFollowUpSchema)
def record_follow_up(body, follow_up_id):
    """Record a follow-up's outcome, once.

    The same outcome sent again answers what was recorded and changes nothing; another
    outcome is 409 ``screening.follow_up_already_recorded``."""
    return results.record_follow_up(g.staff, follow_up_id, body["outcome"],
                                    body.get("notes")).follow_up


class TargetSchema(StrictSchema):
    target = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))


class StatsQuerySchema(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class TargetResultSchema(Schema):
    year = fields.Integer()
    target = fields.Integer()


@blp.put("/targets/<int:year>")
@staff_required("township_admin")
@blp.alt_response(200, schema=TargetResultSchema, success=True)
@blp.arguments(TargetSchema)
def set_target(body, year):
    """The township's target number of couples checked this year."""
    row = stats.set_target(g.staff, year, body["target"])
    return {"year": row.year, "target": row.target}


@blp.get("/stats")
@staff_required("township_admin", "reviewer", "village_worker")
@report_answer(blp, {"type": "object"},
               description="JSON: the year's figures; CSV/XLSX: the village-by-month table")
@blp.arguments(StatsQuerySchema, location="query")
def statistics(query):
    """Checks against the target by village and month, and the programme's indicators;
    CSV/XLSX give the village-by-month table."""
    figures = stats.year_figures(g.staff, query["year"])
    if query["format"] == "json":
        return figures
    progress = Sheet("全年进度", stats.PROGRESS_COLUMNS, stats.progress_rows(figures),
                     Chart("孕前检查完成进度", "月份", bars=("当月完成(对)",),
                           lines=("累计完成(对)", "年度目标(对)"), y_title="对"))
    indicators = Sheet("指标", stats.INDICATOR_COLUMNS, stats.indicator_rows(figures))
    return table_download(query["format"], stats.COLUMNS, figures["rows"],
                          f"pre-pregnancy-checks-{query['year']}", f"孕前检查{query['year']}",
                          summaries=(progress, indicators))
