"""Booking the free pre-pregnancy check.

A place is taken by one conditional UPDATE (booked = booked + 1 WHERE booked < capacity):
checking first and inserting afterwards is how public booking systems double-book. The
check constraint on the slot table is the last line of defence.
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from wxapp.china_time import CHINA
from wxapp.errors import Conflict, DomainError, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import (
    Clinic,
    Resident,
    ScreeningBooking,
    ScreeningCoupleMember,
    ScreeningSlot,
)
from wxapp.models.base import utcnow
from wxapp.models.screening import ACTIVE_STATUSES
from wxapp.observability import metrics
from wxapp.services import township_settings
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit
from wxapp.services.screening import couples, notices


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def list_clinics() -> list[Clinic]:
    return list(db.session.scalars(select(Clinic).filter_by(active=True).order_by(Clinic.id)))


def open_slots(clinic_id: int) -> list[ScreeningSlot]:
    now = utcnow()
    settings = township_settings.current()
    return list(db.session.scalars(select(ScreeningSlot).where(
        ScreeningSlot.clinic_id == clinic_id, ScreeningSlot.closed.is_(False),
        ScreeningSlot.starts_at >= now + timedelta(hours=settings.booking_min_notice_hours),
        ScreeningSlot.starts_at <= now + timedelta(days=settings.booking_max_days_ahead),
    ).order_by(ScreeningSlot.starts_at)))


# Built once and run on the connection (Core, not the ORM): on a popular morning this runs
# for every tap, and building an ORM statement costs more than PostgreSQL takes to run it.
_SLOTS = ScreeningSlot.__table__
_TAKE_PLACE = (
    update(_SLOTS)
    .where(_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.closed.is_(False),
           _SLOTS.c.booked < _SLOTS.c.capacity,
           _SLOTS.c.starts_at >= bindparam("earliest"),
           _SLOTS.c.starts_at <= bindparam("latest"))
    .values(booked=_SLOTS.c.booked + 1))
_PLACES = select(_SLOTS.c.closed, _SLOTS.c.booked, _SLOTS.c.capacity).where(
    _SLOTS.c.id == bindparam("slot_id"))


def _take_place(slot_id: int) -> None:
    now = utcnow()
    settings = township_settings.current()
    connection = db.session.connection()
    taken = connection.execute(_TAKE_PLACE, {
        "slot_id": slot_id,
        "earliest": now + timedelta(hours=settings.booking_min_notice_hours),
        "latest": now + timedelta(days=settings.booking_max_days_ahead)}).rowcount
    if taken == 1:
        return
    slot = connection.execute(_PLACES, {"slot_id": slot_id}).first()
    if slot is None or slot.closed:
        raise NotFound("booking.slot_not_found", "没有找到这个时段，请重新选择。")
    if slot.booked >= slot.capacity:
        raise Conflict("booking.slot_full", "这个时段已经约满了，请选择其他时段。")
    raise ValidationFailed("booking.slot_out_of_range",
                           "这个时段不在可预约的时间范围内，请选择其他时段。")


@metrics.counted(metrics.BOOKINGS, lambda booking: booking.status, action="book")
def book(resident: Resident, slot_id: int, *, waitlist: bool = False) -> ScreeningBooking:
    """A place for the resident's couple; with `waitlist`, a full slot puts them in line.

    When a popular day opens, most requests find the slot full: the place is tried first
    (one conditional UPDATE), before even the couple is read, so those are answered at once;
    the couple and the rules are checked for those who got one (refusing then rolls the place
    back with the request's transaction)."""
    try:
        _take_place(slot_id)
    except Conflict as exc:
        if not (waitlist and exc.code == "booking.slot_full"):
            raise
        couple = _couple_of(resident)
        _check_rules(couple)
        return _new_booking(resident, couple, slot_id, "waitlisted")
    couple = _couple_of(resident)
    _check_rules(couple)
    booking = _new_booking(resident, couple, slot_id, "scheduled")
    notices.booking_notice(booking, "confirmed")
    return booking


def _couple_of(resident: Resident):
    couple = couples.couple_of(resident)
    if couple is None:
        raise Conflict("screening.couple_required", "预约前请先填写夫妻双方的信息。")
    return couple


def _check_rules(couple) -> None:
    problems = couples.eligibility_problems(couple)
    if problems:
        raise Conflict("screening.not_eligible", problems[0], details={"reasons": problems})
    couples.check_not_checked_already(couple.couple_key, couple.child_order)
    _check_not_restricted(couple.id)


def _check_not_restricted(couple_id: int) -> None:
    """Couples who missed their checks repeatedly wait a while before booking again, so that
    scarce places go to couples who come. Counted per couple record, not per pair of ID
    numbers: a stranger's no-shows under the same numbers must not pause the real couple."""
    settings = township_settings.current()
    now = utcnow()
    missed = list(db.session.scalars(
        select(ScreeningSlot.starts_at).join(ScreeningBooking)
        .where(ScreeningBooking.couple_id == couple_id, ScreeningBooking.status == "missed",
               ScreeningSlot.starts_at >= now - timedelta(days=settings.no_show_window_days))
        .order_by(ScreeningSlot.starts_at.desc())))
    if len(missed) < settings.no_show_limit:
        return
    until = _aware(missed[0]) + timedelta(days=settings.no_show_restriction_days)
    if now < until:
        day = until.astimezone(CHINA).date()
        raise Conflict("booking.restricted",
                       f"您已有{len(missed)}次预约未到检，{day.year}年{day.month}月{day.day}日"
                       "以后才能再次在线预约。如有特殊情况请联系医院。",
                       details={"restricted_until": day.isoformat()})


def _new_booking(resident: Resident, couple, slot_id: int, status: str) -> ScreeningBooking:
    if status == "waitlisted" and db.session.get(ScreeningSlot, slot_id) is None:
        raise NotFound("booking.slot_not_found", "没有找到这个时段，请重新选择。")
    booking = ScreeningBooking(resident_id=resident.id, slot_id=slot_id, status=status,
                               couple_id=couple.id, couple_key=couple.couple_key,
                               child_order=couple.child_order, village_id=couple.village_id,
                               checkin_code=f"{secrets.randbelow(10 ** 6):06d}")
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # The partial unique index: this couple already holds an active booking.
        raise Conflict("booking.already_booked",
                       "您（或您的配偶）已经有一个预约，如需换时间请先取消或改约。") from exc
    return booking


def _belongs_to(resident: Resident):
    """Bookings the resident may see and change: those of her couple (she gave it, or joined
    it with the code the other spouse gave her), and any she made herself."""
    mine = ScreeningBooking.resident_id == resident.id
    couple_id = db.session.scalar(select(ScreeningCoupleMember.couple_id)
                                  .filter_by(resident_id=resident.id))
    return mine if couple_id is None else or_(mine, ScreeningBooking.couple_id == couple_id)


def my_bookings(resident: Resident) -> list[ScreeningBooking]:
    return list(db.session.scalars(select(ScreeningBooking).where(_belongs_to(resident))
                                   .order_by(ScreeningBooking.id.desc())))


def get_mine(resident: Resident, booking_id: int) -> ScreeningBooking:
    """The booking if it is the resident's couple's; anyone else's is simply not found."""
    booking = db.session.scalars(select(ScreeningBooking).where(
        ScreeningBooking.id == booking_id, _belongs_to(resident))).first()
    if booking is None:
        raise NotFound("booking.not_found", "没有找到这个预约。")
    return booking


@metrics.counted(metrics.BOOKINGS, lambda booking: booking.status, action="cancel")
def cancel(resident: Resident, booking_id: int) -> ScreeningBooking:
    booking = get_mine(resident, booking_id)
    if _cancelled_by_resident(booking):
        return booking  # a retried tap: already done
    if booking.status not in ACTIVE_STATUSES:
        raise Conflict("booking.not_cancellable", "这个预约已经不能取消了。")
    lock_slots(booking.slot_id)
    # Twice at most: a couple leaving the waitlist may be offered the place (or accept it)
    # between reading the booking and closing it; that is still theirs to cancel.
    for _ in range(2):
        if booking.status == "scheduled":
            _check_cutoff(booking)
        if _close(booking, "cancelled", "resident"):
            return booking
        if _cancelled_by_resident(booking):
            return booking  # a twin tap won while this one waited: the same answer
        if booking.status not in ACTIVE_STATUSES:
            break
    if booking.cancel_reason == "clinic_closed":
        raise Conflict("booking.not_cancellable", "医院停诊，这个预约已经取消了，请重新预约。")
    raise Conflict("booking.not_cancellable", "这个预约已经不能取消了。")


def _cancelled_by_resident(booking: ScreeningBooking) -> bool:
    return booking.status == "cancelled" and booking.cancel_reason == "resident"


# -- state changes -----------------------------------------------------------------------------
# Every change of a booking's state is one conditional UPDATE (… WHERE status = <expected>):
# of two requests racing for the same booking only the first changes it, the other finds
# rowcount 0 and re-reads what the winner did. On PostgreSQL the loser's UPDATE waits for the
# winner's row lock and then re-checks the condition against the committed row.
#
# Lock order, so that two requests never wait for each other: slot rows first, in id order
# (`lock_slots`), then the rows of bookings on those slots. Changes that touch no slot (accept,
# check-in, no-show, results) take only their booking's row and nothing after it.
def transition(booking: ScreeningBooking, expected: str | tuple[str, ...], *conditions,
               **values) -> bool:
    """Moves `booking` from one of the `expected` states to `values` if nobody else has yet;
    the object is re-read either way, so the caller sees what the winner did."""
    expected = (expected,) if isinstance(expected, str) else expected
    changed = db.session.execute(
        update(ScreeningBooking)
        .where(ScreeningBooking.id == booking.id, ScreeningBooking.status.in_(expected),
               *conditions)
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(booking)
    return changed == 1


def lock_slots(*slot_ids: int) -> None:
    """Row locks on the slots, always in id order (PostgreSQL; SQLite serialises writers)."""
    db.session.execute(select(ScreeningSlot.id).where(ScreeningSlot.id.in_(set(slot_ids)))
                       .order_by(ScreeningSlot.id).with_for_update()).all()


def _close(booking: ScreeningBooking, status: str, reason: str, *conditions) -> bool:
    """Ends an active booking (the caller holds its slot's lock); a place it held goes to the
    next couple waiting at once. False when the booking was no longer as the caller read it."""
    was = booking.status
    if was not in ACTIVE_STATUSES or not transition(
            booking, was, *conditions, status=status, cancel_reason=reason,
            cancelled_at=utcnow(), offer_expires_at=None):
        return False
    if was in ("scheduled", "offered"):
        _free_place(booking.slot_id)
        offer_next(booking.slot_id)
    return True


def _check_cutoff(booking: ScreeningBooking) -> None:
    hours = township_settings.current().booking_cancel_cutoff_hours
    if utcnow() > _aware(booking.slot.starts_at) - timedelta(hours=hours):
        raise Conflict("booking.past_cutoff",
                       f"检查前{hours}小时内不能在线取消或改约，请联系医院。")


def _free_place(slot_id: int) -> None:
    db.session.execute(update(ScreeningSlot).where(ScreeningSlot.id == slot_id)
                       .values(booked=ScreeningSlot.booked - 1)
                       .execution_options(synchronize_session=False))


@metrics.counted(metrics.BOOKINGS, lambda booking: booking.status, action="move")
def move(resident: Resident, booking_id: int, new_slot_id: int) -> ScreeningBooking:
    """Another slot in one transaction: the new place is taken before the old one is freed,
    so a resident who cannot get the new slot keeps the old one (the refusal rolls back)."""
    old = get_mine(resident, booking_id)
    if old.status != "scheduled":
        raise _not_movable()
    _check_cutoff(old)
    lock_slots(old.slot_id, new_slot_id)
    if not transition(old, "scheduled", status="moved", cancel_reason="resident",
                      cancelled_at=utcnow()):
        raise _not_movable()  # a concurrent move or cancel of this booking won
    _take_place(new_slot_id)
    _free_place(old.slot_id)
    offer_next(old.slot_id)
    new = ScreeningBooking(resident_id=old.resident_id, slot_id=new_slot_id,
                           status="scheduled", couple_id=old.couple_id,
                           couple_key=old.couple_key,
                           child_order=old.child_order, village_id=old.village_id,
                           checkin_code=f"{secrets.randbelow(10 ** 6):06d}")
    db.session.add(new)
    db.session.flush()
    return new


def _not_movable() -> Conflict:
    return Conflict("booking.not_movable",
                    "这个预约已经改约、取消或签到，不能再改约了。请刷新后查看。")


# -- the waitlist ------------------------------------------------------------------------------
def offer_next(slot_id: int) -> ScreeningBooking | None:
    """Give a free place to the couple that has waited longest, held for a while for them to
    accept. Nothing happens when nobody waits or the place was taken meanwhile. The caller
    holds the slot's lock."""
    waiting = list(db.session.scalars(select(ScreeningBooking).where(
        ScreeningBooking.slot_id == slot_id, ScreeningBooking.status == "waitlisted")
        .order_by(ScreeningBooking.id)))
    if not waiting:
        return None
    try:
        _take_place(slot_id)
    except DomainError:
        return None
    expires = utcnow() + timedelta(minutes=township_settings.current().waitlist_hold_minutes)
    for booking in waiting:
        # A couple may leave the waitlist while the place is being offered to them.
        if transition(booking, "waitlisted", status="offered", offer_expires_at=expires):
            notices.booking_notice(booking, "offered")
            return booking
    _free_place(slot_id)
    return None


@metrics.counted(metrics.BOOKINGS, lambda booking: booking.status, action="accept_offer")
def accept_offer(resident: Resident, booking_id: int) -> ScreeningBooking:
    booking = get_mine(resident, booking_id)
    if _accepted(booking):
        return booking  # accepted already: a retried tap
    if booking.status != "offered" or _aware(booking.offer_expires_at) <= utcnow():
        raise _offer_gone()
    if not transition(booking, "offered", ScreeningBooking.offer_expires_at > utcnow(),
                      status="scheduled", offer_expires_at=None):
        if _accepted(booking):
            return booking  # a twin tap accepted it while this one waited
        raise _offer_gone()  # the expiry job (or a cancel) came first
    notices.booking_notice(booking, "confirmed")
    return booking


def _accepted(booking: ScreeningBooking) -> bool:
    return (booking.status == "scheduled" and booking.offer_expires_at is None
            and booking.cancel_reason is None)


def _offer_gone() -> Conflict:
    return Conflict("booking.offer_gone", "这个候补名额已经过期或不存在了。")


def expire_offers(now: datetime | None = None) -> int:
    """Offers not taken up in time pass to the next couple. Returns how many lapsed; an offer
    accepted meanwhile stays accepted."""
    now = now or utcnow()
    lapsed = list(db.session.scalars(select(ScreeningBooking).where(
        ScreeningBooking.status == "offered", ScreeningBooking.offer_expires_at <= now)
        .order_by(ScreeningBooking.slot_id, ScreeningBooking.id)))
    count = 0
    for booking in lapsed:
        lock_slots(booking.slot_id)
        if _close(booking, "cancelled", "offer_expired",
                  ScreeningBooking.offer_expires_at <= now):
            count += 1
    return count


# A clinic's day: who is still expected and who is in. The console's day page also shows who
# was examined (completed) and who did not come (missed).
DAY_STATUSES = ("scheduled", "checked_in")
DAY_STATUSES_WITH_OUTCOMES = (*DAY_STATUSES, "completed", "missed")


def clinic_day(staff, clinic_id: int, day_start: datetime, day_end: datetime,
               statuses: tuple[str, ...] = DAY_STATUSES) -> list[ScreeningBooking]:
    clinic = clinic_for_staff(staff, clinic_id)
    return list(db.session.scalars(
        select(ScreeningBooking).join(ScreeningSlot).where(
            ScreeningSlot.clinic_id == clinic.id, ScreeningSlot.starts_at >= day_start,
            ScreeningSlot.starts_at < day_end, ScreeningBooking.status.in_(statuses))
        .order_by(ScreeningSlot.starts_at, ScreeningBooking.id)))


CHECKIN_QR_PREFIX = "WXAPP-CHECKIN:"


def check_in(staff, clinic_id: int, code: str) -> ScreeningBooking:
    """A code is valid only at its clinic, on its day, once. The clinic may type the six
    digits or scan the QR code, which carries the same digits."""
    clinic = clinic_for_staff(staff, clinic_id)
    now = utcnow()
    code = code.strip()
    if code.startswith(CHECKIN_QR_PREFIX):
        code = code[len(CHECKIN_QR_PREFIX):]
    candidates = list(db.session.scalars(
        select(ScreeningBooking).join(ScreeningSlot).where(
            ScreeningSlot.clinic_id == clinic.id, ScreeningBooking.checkin_code == code.strip(),
            ScreeningBooking.status.in_(("scheduled", "missed", *CHECKED_IN_STATUSES)))
        .order_by(ScreeningBooking.id)))
    today = now.astimezone(CHINA).date()
    todays = [b for b in candidates if _aware(b.slot.starts_at).astimezone(CHINA).date() == today]
    for booking in todays:
        # A couple marked 未到检 who still turn up the same day (the bus was late) are checked
        # in, and the no-show no longer counts against them: it was never one.
        if booking.status not in ("scheduled", "missed"):
            continue
        if not transition(booking, booking.status, status="checked_in", checked_in_at=now):
            if booking.status in CHECKED_IN_STATUSES:
                raise _already_checked_in(booking)  # a twin request won while this one waited
            raise Conflict("booking.not_checkable",
                           "这个预约刚刚已签到、取消或改约，请刷新后查看。")
        couples.use_allowance_if_needed(booking)
        record_audit(Actor("staff", str(staff.id)), "booking.check_in", "screening_booking",
                     booking.id)
        db.session.flush()
        return booking
    if todays:
        # The code was good and has been used: a second scan, a double click, a twin request.
        raise _already_checked_in(todays[0])
    raise NotFound("booking.code_invalid", "签到码无效：请核对医院和预约日期。")


CHECKED_IN_STATUSES = ("checked_in", "completed")


def _already_checked_in(booking: ScreeningBooking) -> Conflict:
    at = booking.checked_in_at
    when = f"（{_aware(at).astimezone(CHINA):%H:%M}）" if at else ""
    return Conflict("booking.already_checked_in", f"该预约已签到{when}，不用再签到。",
                    details={"booking_id": booking.id,
                             "checked_in_at": _aware(at).isoformat() if at else None})


def mark_missed(staff, clinic_id: int, booking_id: int) -> ScreeningBooking:
    """未到检: only once the slot is over, and only for a booking still waiting."""
    clinic = clinic_for_staff(staff, clinic_id)
    booking = db.session.scalars(select(ScreeningBooking).join(ScreeningSlot).where(
        ScreeningBooking.id == booking_id, ScreeningSlot.clinic_id == clinic.id)).first()
    if booking is None:
        raise NotFound("booking.not_found", "没有找到这个预约。")
    not_markable = Conflict("booking.not_markable", "只有未签到的预约可以标记为未到检。")
    if booking.status != "scheduled":
        raise not_markable
    if _aware(booking.slot.ends_at) > utcnow():
        raise Conflict("booking.slot_not_over", "检查时段结束后才能标记未到检。")
    if not transition(booking, "scheduled", status="missed"):
        raise not_markable  # checked in (or marked) by someone else meanwhile
    record_audit(Actor("staff", str(staff.id)), "booking.missed", "screening_booking", booking.id)
    db.session.flush()
    return booking


def clinic_for_staff(staff, clinic_id: int) -> Clinic:
    """Every clinic path (day list, check-in, missed, schedule, closures) loads its clinic
    here: another township's clinic, or for clinic staff a clinic they do not work at, is
    not found."""
    clinic = db.session.scalars(scoped(select(Clinic).filter_by(id=clinic_id), staff,
                                       Clinic.township_id, None, clinic_column=Clinic.id)).first()
    if clinic is None:
        raise NotFound("clinic.not_found", "没有找到该医院。")
    return clinic


def as_view(booking: ScreeningBooking) -> dict:
    slot = booking.slot
    return {"id": booking.id, "status": booking.status, "slot_id": slot.id,
            "clinic": slot.clinic.name, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
            "checkin_code": booking.checkin_code if booking.status == "scheduled" else None,
            "checkin_qr": (CHECKIN_QR_PREFIX + booking.checkin_code
                           if booking.status == "scheduled" else None),
            "offer_expires_at": booking.offer_expires_at, "child_order": booking.child_order}


def staff_day_view(staff, day: list[ScreeningBooking]) -> list[dict]:
    """The clinic's list: masked names to greet couples by, never their check-in codes (the
    couple shows the code; staff cannot check anyone in without them). Audited."""
    record_audit(Actor("staff", str(staff.id)), "booking.day_list_read", "screening_booking",
                 None, {"count": len(day)})
    return staff_rows(day)


def staff_booking_view(staff, booking: ScreeningBooking) -> dict:
    """One booking as the clinic sees it (masked names, no code), e.g. to record its results.
    Audited like the day list."""
    record_audit(Actor("staff", str(staff.id)), "booking.read", "screening_booking", booking.id)
    return staff_rows([booking])[0]


def staff_rows(day: list[ScreeningBooking]) -> list[dict]:
    """Bookings as the clinic's lists show them; the caller has audited the read."""
    from wxapp.models import ScreeningCouple
    from wxapp.security.masking import mask_name

    couples_by_id = {c.id: c for c in db.session.scalars(
        select(ScreeningCouple).where(ScreeningCouple.id.in_(
            [b.couple_id for b in day if b.couple_id is not None])))}
    rows = []
    for booking in day:
        couple = couples_by_id.get(booking.couple_id)
        rows.append({"id": booking.id, "status": booking.status,
                     "starts_at": booking.slot.starts_at, "ends_at": booking.slot.ends_at,
                     "clinic": booking.slot.clinic.name, "clinic_id": booking.slot.clinic_id,
                     "checked_in_at": booking.checked_in_at,
                     "child_order": booking.child_order,
                     "couple_id": couple.id if couple else None,
                     "wife_name": mask_name(couple.wife_name) if couple else None,
                     "husband_name": mask_name(couple.husband_name) if couple else None})
    return rows
