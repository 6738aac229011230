"""Results of the pre-pregnancy check, the assessment letter, and follow-up (随访).

The clinic records the risk category (一般人群 / 高风险人群), the risk factors found and the
advice for the couple; clinicians' notes stay with staff. Recording results completes the
booking, tells the couple, and opens the follow-ups the programme asks for: a referral for a
high-risk couple, then early pregnancy and pregnancy outcome.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from wxapp.china_time import china_today, to_china_date
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    Resident,
    ScreeningBooking,
    ScreeningCouple,
    ScreeningFollowUp,
    ScreeningResult,
    ScreeningSlot,
    StaffUser,
)
from wxapp.models.base import utcnow
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.screening import bookings, notices

RISK_CATEGORY_TEXT = {"general": "一般人群", "high_risk": "高风险人群"}
RISK_FACTORS = {
    "genetic": "遗传因素", "chronic_disease": "慢性疾病", "infection": "感染性疾病",
    "medication": "用药情况", "lifestyle": "不良生活方式", "environment": "环境与职业危害",
    "reproductive_history": "不良孕产史", "nutrition": "营养状况", "psychological": "社会心理因素",
    "age": "年龄因素",
}
# When each follow-up falls due after the check, in days.
FOLLOW_UP_DUE_DAYS = {"referral": 14, "early_pregnancy": 90, "pregnancy_outcome": 365}
FOLLOW_UP_KIND_TEXT = {"referral": "高风险转诊", "early_pregnancy": "早孕随访",
                       "pregnancy_outcome": "妊娠结局随访"}
# The advice is what the couple reads on the letter: a word or two at least, a page at most.
ADVICE_MIN_CHARS, ADVICE_MAX_CHARS = 2, 2000
NOTES_MAX_CHARS = 2000
FOLLOW_UP_OUTCOMES = {
    "referral": {"referred": "已转诊", "declined": "拒绝转诊", "unreachable": "无法联系"},
    "early_pregnancy": {"pregnant": "已怀孕", "not_pregnant": "未怀孕", "unreachable": "无法联系"},
    "pregnancy_outcome": {"live_birth": "活产", "miscarriage": "自然流产",
                          "induced_abortion": "人工流产", "stillbirth": "死胎死产",
                          "unreachable": "无法联系"},
}


def booking_for_staff(staff: StaffUser, booking_id: int) -> ScreeningBooking:
    """The booking if it is in the staff member's scope (a clinic: its own clinics); 404."""
    return _booking_for_staff(staff, booking_id)


def _booking_for_staff(staff: StaffUser, booking_id: int) -> ScreeningBooking:
    booking = db.session.scalars(scoped(
        select(ScreeningBooking).join(ScreeningSlot).join(Clinic)
        .where(ScreeningBooking.id == booking_id), staff, Clinic.township_id,
        ScreeningBooking.village_id, clinic_column=ScreeningSlot.clinic_id)).first()
    if booking is None:
        raise NotFound("booking.not_found", "没有找到这个预约。")
    return booking


def record_results(staff: StaffUser, booking_id: int, risk_category: str,
                   risk_factors: list[str], advice: str, notes: str | None) -> ScreeningResult:
    booking = _booking_for_staff(staff, booking_id)
    if booking.status not in ("checked_in", "completed"):
        raise Conflict("screening.not_checked_in", "签到后才能录入检查结果。")
    check_results(risk_category, risk_factors, advice, notes)
    # Completing the booking is its state change, and its row lock serialises two clinicians
    # saving results at once: the second then finds the first one's results and corrects them.
    if not bookings.transition(booking, ("checked_in", "completed"), status="completed"):
        raise Conflict("screening.not_checked_in", "签到后才能录入检查结果。")
    result = db.session.scalars(select(ScreeningResult).filter_by(booking_id=booking.id)).first()
    first_time = result is None
    if first_time:
        result = ScreeningResult(booking_id=booking.id)
        db.session.add(result)
    result.risk_category = risk_category
    result.risk_factors = sorted(set(risk_factors))
    result.advice = advice.strip()
    result.notes = (notes or "").strip() or None
    result.recorded_by = staff.id
    result.recorded_at = utcnow()
    _open_follow_ups(booking, risk_category)
    record_audit(Actor("staff", str(staff.id)), "screening.results_recorded",
                 "screening_booking", booking.id, {"risk_category": risk_category})
    db.session.flush()
    if first_time:
        notices.booking_notice(booking, "results_ready")
    return result


def check_results(risk_category: str, risk_factors: list[str], advice: str,
                  notes: str | None) -> None:
    """What the clinic typed, checked as a whole: every problem at once, each by its field.
    The code names the first problem (an API client branches on it)."""
    problems: dict[str, str] = {}
    codes: list[str] = []
    if risk_category not in RISK_CATEGORY_TEXT:
        codes.append("screening.risk_category_required")
        problems["risk_category"] = "请选择一般人群或高风险人群。"
    unknown = [f for f in risk_factors if f not in RISK_FACTORS]
    if unknown:
        raise ValidationFailed("screening.unknown_risk_factor",
                               "有未知的风险因素，请从列表中选择。",
                               details={"risk_factors": "、".join(unknown)})
    if risk_category == "high_risk" and not risk_factors:
        codes.append("screening.risk_factors_required")
        problems["risk_factors"] = "高风险人群请至少选择一项风险因素。"
    advice_length = len(advice.strip())
    if advice_length < ADVICE_MIN_CHARS:
        problems["advice"] = f"至少填写{ADVICE_MIN_CHARS}个字。"
    elif advice_length > ADVICE_MAX_CHARS:
        problems["advice"] = f"最多填写{ADVICE_MAX_CHARS}个字（现在{advice_length}个字）。"
    if notes and len(notes.strip()) > NOTES_MAX_CHARS:
        problems["notes"] = f"最多填写{NOTES_MAX_CHARS}个字（现在{len(notes.strip())}个字）。"
    if problems:
        message = (problems["risk_factors"] if list(problems) == ["risk_factors"]
                   else "检查结果填写有误，请按提示修改。")
        raise ValidationFailed(codes[0] if codes else "screening.results_invalid", message,
                               details=problems)


def _open_follow_ups(booking: ScreeningBooking, risk_category: str) -> None:
    kinds = ["early_pregnancy", "pregnancy_outcome"]
    if risk_category == "high_risk":
        kinds.insert(0, "referral")
    existing = set(db.session.scalars(select(ScreeningFollowUp.kind)
                                      .filter_by(booking_id=booking.id)))
    today = china_today()
    for kind in kinds:
        if kind not in existing:
            due_on = today + timedelta(days=FOLLOW_UP_DUE_DAYS[kind])
            db.session.add(ScreeningFollowUp(booking_id=booking.id, kind=kind, status="open",
                                             due_on=due_on))


def result_for_staff(staff: StaffUser, booking_id: int) -> ScreeningResult:
    booking = _booking_for_staff(staff, booking_id)
    result = db.session.scalars(select(ScreeningResult).filter_by(booking_id=booking.id)).first()
    if result is None:
        raise NotFound("screening.no_results", "还没有录入检查结果。")
    record_audit(Actor("staff", str(staff.id)), "screening.results_read", "screening_booking",
                 booking.id)
    return result


def result_for_couple(resident: Resident, booking_id: int) -> ScreeningResult:
    """The couple's own report: for the accounts of the couple the booking belongs to (the
    one that booked, and a spouse who joined with the code it gave). Typing the same two ID
    numbers is not enough. Anyone else gets 404, as if it did not exist."""
    booking = bookings.get_mine(resident, booking_id)
    result = db.session.scalars(select(ScreeningResult).filter_by(booking_id=booking.id)).first()
    if result is None:
        raise Conflict("screening.results_not_ready", "检查结果还没有出来，出来后会通知您。")
    return result


def resident_view(result: ScreeningResult) -> dict:
    return {"booking_id": result.booking_id, "risk_category": result.risk_category,
            "risk_category_text": RISK_CATEGORY_TEXT[result.risk_category],
            "risk_factors": [RISK_FACTORS[f] for f in result.risk_factors],
            "advice": result.advice, "recorded_at": result.recorded_at}


def staff_view(result: ScreeningResult) -> dict:
    return {**resident_view(result), "risk_factor_codes": result.risk_factors,
            "notes": result.notes, "recorded_by": result.recorded_by}


# -- follow-up ---------------------------------------------------------------------------------
def follow_ups_for(staff: StaffUser, status: str = "open", kind: str | None = None, *,
                   clinic_id: int | None = None, due_by=None) -> list[ScreeningFollowUp]:
    """Follow-ups in the staff member's scope; ``clinic_id`` narrows them to the couples
    checked at one clinic, ``due_by`` to those due on or before that (China) date."""
    query = scoped(select(ScreeningFollowUp).join(ScreeningBooking).join(ScreeningSlot)
                   .join(Clinic).filter(ScreeningFollowUp.status == status),
                   staff, Clinic.township_id, ScreeningBooking.village_id,
                   clinic_column=ScreeningSlot.clinic_id)
    if kind:
        query = query.filter(ScreeningFollowUp.kind == kind)
    if clinic_id is not None:
        query = query.filter(ScreeningSlot.clinic_id == clinic_id)
    if due_by is not None:
        query = query.filter(ScreeningFollowUp.due_on <= due_by)
    found = list(db.session.scalars(query.order_by(ScreeningFollowUp.due_on).limit(500)))
    record_audit(Actor("staff", str(staff.id)), "screening.follow_ups_read",
                 "screening_follow_up", None, {"count": len(found)})
    return found


def follow_up_for_staff(staff: StaffUser, follow_up_id: int) -> ScreeningFollowUp:
    """The follow-up if its booking is in the staff member's scope; 404 otherwise, the same
    answer as for one that does not exist."""
    follow_up = db.session.get(ScreeningFollowUp, follow_up_id)
    if follow_up is None or not _in_scope(staff, follow_up.booking_id):
        raise NotFound("screening.follow_up_not_found", "没有找到这条随访。")
    return follow_up


def _in_scope(staff: StaffUser, booking_id: int) -> bool:
    try:
        _booking_for_staff(staff, booking_id)
    except NotFound:
        return False
    return True


def staff_follow_up_view(staff: StaffUser, follow_up: ScreeningFollowUp) -> dict:
    """One follow-up as staff read it (its kind alone tells a couple was high-risk).
    Audited like the list."""
    record_audit(Actor("staff", str(staff.id)), "screening.follow_ups_read",
                 "screening_follow_up", follow_up.id, {"count": 1})
    outcomes = FOLLOW_UP_OUTCOMES[follow_up.kind]
    return {"id": follow_up.id, "booking_id": follow_up.booking_id, "kind": follow_up.kind,
            "kind_text": FOLLOW_UP_KIND_TEXT[follow_up.kind], "due_on": follow_up.due_on,
            "status": follow_up.status, "outcome": follow_up.outcome,
            "outcome_text": outcomes.get(follow_up.outcome or ""),
            "done_at": follow_up.done_at, "outcomes": outcomes}


def check_follow_up(kind: str, outcome: str, notes: str | None) -> None:
    """What staff typed, checked as a whole, each problem by its field in Chinese."""
    problems: dict[str, str] = {}
    choices = FOLLOW_UP_OUTCOMES[kind]
    if outcome not in choices:
        problems["outcome"] = f"请选择随访结果：{'、'.join(choices.values())}。"
    length = len((notes or "").strip())
    if length > NOTES_MAX_CHARS:
        problems["notes"] = f"最多填写{NOTES_MAX_CHARS}个字（现在{length}个字）。"
    if problems:
        code = "screening.bad_outcome" if "outcome" in problems else \
            "screening.follow_up_notes_too_long"
        message = ("请从列表中选择随访结果。" if list(problems) == ["outcome"]
                   else "随访结果填写有误，请按提示修改。")
        raise ValidationFailed(code, message, details=problems)


@dataclass(frozen=True)
class FollowUpRecording:
    follow_up: ScreeningFollowUp
    # False: the same outcome had been recorded already (a retry, a double click, a colleague
    # at the same moment) and nothing was written this time.
    first_time: bool


def record_follow_up(staff: StaffUser, follow_up_id: int, outcome: str,
                     notes: str | None) -> FollowUpRecording:
    """A follow-up is recorded once: one conditional UPDATE (… WHERE status = 'open') decides
    between two requests, and the loser re-reads the winner's outcome. The same outcome again
    changes nothing; another one is refused rather than silently overwriting a colleague's."""
    follow_up = follow_up_for_staff(staff, follow_up_id)
    check_follow_up(follow_up.kind, outcome, notes)
    changed = db.session.execute(
        update(ScreeningFollowUp)
        .where(ScreeningFollowUp.id == follow_up.id, ScreeningFollowUp.status == "open")
        .values(status="done", outcome=outcome, notes=(notes or "").strip() or None,
                recorded_by=staff.id, done_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(follow_up)
    if changed != 1:
        if follow_up.outcome == outcome:
            return FollowUpRecording(follow_up, first_time=False)
        recorded = FOLLOW_UP_OUTCOMES[follow_up.kind].get(follow_up.outcome or "", "")
        raise Conflict("screening.follow_up_already_recorded",
                       f"这条随访已经记录为“{recorded}”，不能再记录为其他结果。",
                       details={"outcome": follow_up.outcome})
    record_audit(Actor("staff", str(staff.id)), "screening.follow_up_recorded",
                 "screening_follow_up", follow_up.id, {"kind": follow_up.kind})
    db.session.flush()
    return FollowUpRecording(follow_up, first_time=True)


# -- the letter ---------------------------------------------------------------------------------
def assessment_letter_pdf(result: ScreeningResult) -> bytes:
    """结果及评估建议告知书: what the couple takes home."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from wxapp.formats.pdf_fonts import font_for_pdfs

    chinese = font_for_pdfs()

    booking = result.booking
    # The couple the booking belongs to: another record with the same ID numbers may carry
    # any names a stranger typed.
    couple = db.session.get(ScreeningCouple, booking.couple_id) if booking.couple_id else None
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle("孕前优生健康检查结果及评估建议告知书")
    pdf.setFont(chinese, 16)
    pdf.drawCentredString(width / 2, height - 25 * mm, "孕前优生健康检查结果及评估建议告知书")
    y = height - 42 * mm
    checked = to_china_date(result.recorded_at)
    lines = [f"受检夫妇：{couple.wife_name if couple else ''}（女）  "
             f"{couple.husband_name if couple else ''}（男）",
             f"检查机构：{booking.slot.clinic.name}",
             f"检查日期：{checked.isoformat()}",
             f"风险评估：{RISK_CATEGORY_TEXT[result.risk_category]}",
             "风险因素：" + ("、".join(RISK_FACTORS[f] for f in result.risk_factors) or "未发现"),
             "评估建议："]
    for line in lines:
        _draw_line(pdf, chinese, 12, 20 * mm, y, line)
        y -= 9 * mm

    def footer():
        _draw_line(pdf, chinese, 10, 20 * mm, 25 * mm,
                   "本告知书仅供受检夫妇本人使用。如有疑问请咨询检查机构。"
                   f"  出具日期：{china_today().isoformat()}")

    _draw_advice(pdf, chinese, result.advice, y + 5 * mm, footer)
    pdf.save()
    return buffer.getvalue()


def _draw_advice(pdf, font: str, advice: str, top: float, footer) -> None:
    """Advice wrapped by the width the text takes in the font, breaking between any two
    Chinese characters (reportlab's CJK word wrap), and carried on to further pages when it
    is long; ``footer`` closes every page."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Frame, Paragraph

    width, height = A4
    style = ParagraphStyle("advice", fontName=font, fontSize=12, leading=18, wordWrap="CJK")
    story = [Paragraph(escape(line) or "&nbsp;", style) for line in advice.splitlines() or [""]]
    for _page in range(50):  # a bound, in case a flowable could never fit
        Frame(26 * mm, 32 * mm, width - 46 * mm, top - 32 * mm, leftPadding=0, rightPadding=0,
              topPadding=0, bottomPadding=0).addFromList(story, pdf)
        footer()
        pdf.showPage()
        if not story:
            return
        top = height - 25 * mm


def _draw_line(pdf, chinese: str, size: int, x: float, y: float, line: str) -> None:
    """A "标签：value" line; a Latin value (a date) in Helvetica, as on the certificate, so
    that dates stay searchable and copyable in every viewer."""
    label, colon, value = line.rpartition("：")
    if not colon or not value or not value.isascii():
        label, value = line, ""
    else:
        label += colon
    pdf.setFont(chinese, size)
    pdf.drawString(x, y, label)
    if value:
        pdf.setFont("Helvetica", size)
        pdf.drawString(x + pdf.stringWidth(label, chinese, size), y, value)
