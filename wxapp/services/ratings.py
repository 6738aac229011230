"""Ratings of finished services (政务服务"好差评").

After a registration is decided, a check done, a pickup collected or a hand-over answered,
the resident may rate it once, from 非常满意 to 非常不满意, with an optional comment. A poor
rating (差评) opens a call-back for the township office, due within a few working days; she
may appeal the handling once. Staff see satisfaction by month, service and village; nobody
sees who rated whom except the office handling the call-back, and never about their own work.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from wxapp.config import settings
from wxapp.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.formats.spreadsheets import month_bounds
from wxapp.models import (
    BirthRegistration,
    Handover,
    Pickup,
    Resident,
    ResidentProfile,
    ScreeningBooking,
    ScreeningCoupleMember,
    ScreeningResult,
    ServiceRating,
    StaffUser,
    SupplyPoint,
)
from wxapp.models.base import utcnow
from wxapp.models.ratings import POOR_SCORES, RATED_SERVICES, SCORE_LABELS
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.registration.applications import add_working_days
from wxapp.services.resident_notices import tell

SERVICE_LABELS = {"registration": "生育登记", "screening": "孕前优生健康检查",
                  "pickup": "免费药具领取", "handover": "人工咨询"}
# Who reads the month's summary, by the staff API and the console alike. Clinic staff do not:
# their scope is their clinics' checks, while the summary's area is the township's or a
# village's registrations, pickups and messages, none of them the clinic's to judge by.
SUMMARY_ROLES = ("township_admin", "reviewer", "village_worker")
# How far back a finished service may still be rated.
RATING_WINDOW = timedelta(days=90)
COMMENT_MAX = 300


@dataclass(frozen=True)
class Rated:
    township_id: int
    village_id: int | None
    staff_id: int | None
    finished_at: datetime | None


def _not_found():
    return NotFound("rating.subject_not_found", "没有找到可以评价的办理事项。")


def _registration(resident: Resident, object_id: int) -> Rated:
    reg = db.session.get(BirthRegistration, object_id)
    if reg is None or reg.resident_id != resident.id or reg.status not in ("approved", "rejected"):
        raise _not_found()
    return Rated(reg.township_id, reg.village_id, reg.decided_by_staff_id, reg.decided_at)


def _screening(resident: Resident, object_id: int) -> Rated:
    booking = db.session.get(ScreeningBooking, object_id)
    result = db.session.scalars(select(ScreeningResult).filter_by(booking_id=object_id)).first()
    if booking is None or result is None or not _is_couple_member(resident, booking):
        raise _not_found()
    return Rated(booking.slot.clinic.township_id, booking.village_id, result.recorded_by,
                 result.recorded_at)


def _is_couple_member(resident: Resident, booking: ScreeningBooking) -> bool:
    if booking.resident_id == resident.id:
        return True
    return booking.couple_id is not None and db.session.scalar(
        select(func.count()).select_from(ScreeningCoupleMember).filter_by(
            couple_id=booking.couple_id, resident_id=resident.id)) > 0


def _pickup(resident: Resident, object_id: int) -> Rated:
    pickup = db.session.get(Pickup, object_id)
    if pickup is None or pickup.resident_id != resident.id or pickup.status != "dispensed":
        raise _not_found()
    point = db.session.get(SupplyPoint, pickup.point_id)
    return Rated(point.township_id, point.village_id, None, pickup.finished_at)


def _handover(resident: Resident, object_id: int) -> Rated:
    handover = db.session.get(Handover, object_id)
    if handover is None or handover.resident_id != resident.id or handover.status != "answered":
        raise _not_found()
    staff = db.session.get(StaffUser, handover.answered_by_staff_id)
    # The village she named (请村里代办, or a question she placed); None when she named none.
    return Rated(staff.township_id, handover.village_id, staff.id, handover.answered_at)


RESOLVERS = {"registration": _registration, "screening": _screening, "pickup": _pickup,
             "handover": _handover}


def _parse_subject(subject: str) -> tuple[str, int]:
    service, _, raw_id = (subject or "").partition(":")
    if service not in RATED_SERVICES or not raw_id.isdigit() or len(raw_id) > 12:
        raise ValidationFailed("rating.bad_subject", "评价的事项不正确。")
    return service, int(raw_id)


# -- the resident's side ------------------------------------------------------------------------
def rate(resident: Resident, subject: str, score: int, comment: str | None) -> ServiceRating:
    service, object_id = _parse_subject(subject)
    if score not in SCORE_LABELS:
        raise ValidationFailed("rating.bad_score", "请从“非常满意”到“非常不满意”中选择一项。")
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise ValidationFailed("rating.comment_too_long", f"意见请不要超过{COMMENT_MAX}字。")
    rated = RESOLVERS[service](resident, object_id)
    if rated.finished_at is not None and utcnow() - _aware(rated.finished_at) > RATING_WINDOW:
        raise Conflict("rating.too_late", "该事项办结已超过90天，不能再评价。")
    if _existing(resident, subject) is not None:
        raise Conflict("rating.already_rated", "您已经评价过这项服务了，谢谢！")
    rating = ServiceRating(resident_id=resident.id, service=service, subject=subject,
                           score=score, comment=comment, staff_id=rated.staff_id,
                           township_id=rated.township_id, village_id=rated.village_id)
    if score in POOR_SCORES:
        rating.callback_status = "open"
        rating.callback_due_at = add_working_days(utcnow(),
                                                  settings().rating_callback_working_days)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError:
        # The same tap arriving twice at once: the first one counts.
        raise Conflict("rating.already_rated", "您已经评价过这项服务了，谢谢！") from None
    return rating


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _existing(resident: Resident, subject: str) -> ServiceRating | None:
    return db.session.scalars(select(ServiceRating).filter_by(
        resident_id=resident.id, subject=subject)).first()


def ratings_of(resident: Resident) -> list[ServiceRating]:
    return list(db.session.scalars(select(ServiceRating).filter_by(resident_id=resident.id)
                                   .order_by(ServiceRating.id.desc()).limit(100)))


def pending_for(resident: Resident) -> list[dict]:
    """Finished services of the last 90 days she has not rated yet, newest first."""
    since = utcnow() - RATING_WINDOW
    rated = set(db.session.scalars(select(ServiceRating.subject).filter_by(
        resident_id=resident.id)))
    found: list[tuple[str, datetime]] = []
    found += [(f"registration:{i}", at) for i, at in db.session.execute(
        select(BirthRegistration.id, BirthRegistration.decided_at).where(
            BirthRegistration.resident_id == resident.id,
            BirthRegistration.status.in_(("approved", "rejected")),
            BirthRegistration.decided_at >= since))]
    couples = select(ScreeningCoupleMember.couple_id).filter_by(resident_id=resident.id)
    found += [(f"screening:{i}", at) for i, at in db.session.execute(
        select(ScreeningBooking.id, ScreeningResult.recorded_at).join(
            ScreeningResult, ScreeningResult.booking_id == ScreeningBooking.id).where(
            or_(ScreeningBooking.resident_id == resident.id,
                ScreeningBooking.couple_id.in_(couples)),
            ScreeningResult.recorded_at >= since))]
    found += [(f"pickup:{i}", at) for i, at in db.session.execute(
        select(Pickup.id, Pickup.finished_at).where(
            Pickup.resident_id == resident.id, Pickup.status == "dispensed",
            Pickup.finished_at >= since))]
    found += [(f"handover:{i}", at) for i, at in db.session.execute(
        select(Handover.id, Handover.answered_at).where(
            Handover.resident_id == resident.id, Handover.status == "answered",
            Handover.answered_at >= since))]
    found.sort(key=lambda pair: _aware(pair[1]), reverse=True)
    return [{"subject": subject, "service": subject.split(":")[0],
             "service_label": SERVICE_LABELS[subject.split(":")[0]], "finished_at": at}
            for subject, at in found if subject not in rated]


def appeal(resident: Resident, rating_id: int, text: str) -> ServiceRating:
    rating = db.session.get(ServiceRating, rating_id)
    if rating is None or rating.resident_id != resident.id:
        raise NotFound("rating.not_found", "没有找到这条评价。")
    text = (text or "").strip()
    if not text or len(text) > COMMENT_MAX:
        raise ValidationFailed("rating.appeal_text",
                               f"请写明对处理结果的意见（{COMMENT_MAX}字以内）。")
    if rating.appealed_at is not None:
        raise Conflict("rating.already_appealed", "您已经申诉过了，我们会尽快处理。")
    if rating.callback_status != "done":
        raise Conflict("rating.cannot_appeal", "只有工作人员回访处理后，才能对处理结果提出申诉。")
    rating.appeal = text
    rating.appealed_at = utcnow()
    rating.callback_status = "appealed"
    rating.callback_due_at = add_working_days(utcnow(), settings().rating_callback_working_days)
    db.session.flush()
    return rating


# -- the office's side --------------------------------------------------------------------------
def _visible_callbacks(staff: StaffUser):
    # The member of staff who was rated never sees who rated them.
    return select(ServiceRating).where(
        ServiceRating.township_id == staff.township_id,
        or_(ServiceRating.staff_id.is_(None), ServiceRating.staff_id != staff.id))


def callbacks_for(staff: StaffUser, include_done: bool = False) -> list[ServiceRating]:
    statuses = ("open", "appealed", "done") if include_done else ("open", "appealed")
    rows = list(db.session.scalars(_visible_callbacks(staff).where(
        ServiceRating.callback_status.in_(statuses)).order_by(ServiceRating.callback_due_at)))
    record_audit(Actor("staff", str(staff.id)), "rating.callbacks_read", "service_rating",
                 None, {"count": len(rows)})
    return rows


def record_callback(staff: StaffUser, rating_id: int, note: str) -> ServiceRating:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("rating.callback_note_required", "请填写回访核实和整改的情况。")
    rating = db.session.scalars(_visible_callbacks(staff).where(
        ServiceRating.id == rating_id)).first()
    if rating is None or rating.callback_status == "none":
        raise NotFound("rating.not_found", "没有找到这条待回访的评价。")
    if rating.callback_status == "done":
        raise Conflict("rating.callback_done", "这条评价已经回访处理过了。")
    # First caller wins: two offices (or a double click) saving the same call-back at once
    # record it, audit it and tell her once; the other finds it already done.
    recorded = db.session.execute(
        update(ServiceRating).where(ServiceRating.id == rating.id,
                                    ServiceRating.callback_status == rating.callback_status)
        .values(callback_status="done", callback_note=note, callback_by=staff.id,
                callback_done_at=utcnow())
        .execution_options(synchronize_session=False))
    if recorded.rowcount != 1:
        raise Conflict("rating.callback_done", "这条评价已经回访处理过了。")
    db.session.refresh(rating)
    record_audit(Actor("staff", str(staff.id)), "rating.callback", "service_rating", rating.id)
    tell(rating.resident_id, "rating_callback",
         dedupe_key=f"rating:{rating.id}:callback:{'appeal' if rating.appealed_at else 'first'}",
         subject=f"rating:{rating.id}", title="您的评价已处理",
         text=f"您对{SERVICE_LABELS[rating.service]}的评价，工作人员已回访处理：{note}"
              "如对处理结果不满意，可在“我的评价”中申诉。")
    db.session.flush()
    return rating


@dataclass(frozen=True)
class Rater:
    """Who gave a poor rating, for the office calling her back: reveals are audited against
    the rating (``id``), and the fields are her profile's (None when she never gave them)."""
    id: int
    rater_name: str | None
    rater_phone: str | None


def callback_rating(staff: StaffUser, rating_id: int) -> ServiceRating | None:
    """A rating with a call-back the caller may handle: in her township, not about her own
    work. Anyone else's (or none) is None."""
    return db.session.scalars(_visible_callbacks(staff).where(
        ServiceRating.id == rating_id, ServiceRating.callback_status != "none")).first()


def raters_of(resident_ids) -> dict[int, ResidentProfile]:
    ids = set(resident_ids)
    if not ids:
        return {}
    return {p.resident_id: p for p in db.session.scalars(
        select(ResidentProfile).where(ResidentProfile.resident_id.in_(ids)))}


def rater_of_callback(staff: StaffUser, rating_id: int) -> Rater | None:
    rating = callback_rating(staff, rating_id)
    if rating is None:
        return None
    profile = raters_of([rating.resident_id]).get(rating.resident_id)
    return Rater(rating.id, profile.name if profile else None,
                 profile.phone if profile else None)


def monthly_summary(staff: StaffUser, month: str) -> list[dict]:
    """Per service and village: how many rated, each grade, the share at least 基本满意."""
    if staff.role not in SUMMARY_ROLES:
        raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
    start, end = month_bounds(month)
    query = scoped(select(ServiceRating.service, ServiceRating.village_id, ServiceRating.score,
                          func.count()).where(ServiceRating.created_at >= start,
                                              ServiceRating.created_at < end),
                   staff, ServiceRating.township_id, ServiceRating.village_id)
    table: dict[tuple[str, int | None], dict] = {}
    for service, village_id, score, count in db.session.execute(
            query.group_by(ServiceRating.service, ServiceRating.village_id,
                           ServiceRating.score)):
        row = table.setdefault((service, village_id), {
            "service": service, "service_label": SERVICE_LABELS[service],
            "village_id": village_id, "total": 0,
            "by_score": {str(s): 0 for s in SCORE_LABELS}})
        row["total"] += count
        row["by_score"][str(score)] += count
    for row in table.values():
        satisfied = sum(row["by_score"][str(s)] for s in (3, 4, 5))
        row["satisfaction_percent"] = round(100 * satisfied / row["total"], 1)
    return sorted(table.values(), key=lambda r: (r["service"], r["village_id"] or 0))

