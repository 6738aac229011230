"""Free pre-pregnancy health checks (免费孕前优生健康检查): clinics, bookable slots, bookings."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime, utcnow
from wxapp.security.encryption import EncryptedText


class Clinic(db.Model):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    # GCJ-02, as WeChat's location APIs use.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScreeningSchedule(db.Model):
    """A clinic's weekly template: on this weekday, this window, this many couples."""
    __tablename__ = "screening_schedules"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
                      CheckConstraint("capacity > 0", name="capacity_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # Monday 0 … Sunday 6
    starts: Mapped[time] = mapped_column(Time)  # China time
    ends: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ClinicClosure(db.Model):
    """A day a clinic does not run checks (holiday, training, outage)."""
    __tablename__ = "clinic_closures"
    __table_args__ = (UniqueConstraint("clinic_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(100))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScreeningSlot(db.Model):
    __tablename__ = "screening_slots"
    __table_args__ = (
        UniqueConstraint("clinic_id", "starts_at"),
        # The database itself refuses an oversold slot, whatever the code above it does.
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    clinic: Mapped[Clinic] = relationship()


ACTIVE_STATUSES = ("scheduled", "waitlisted", "offered")
BOOKING_STATUSES = (*ACTIVE_STATUSES, "checked_in", "completed", "missed", "cancelled", "moved")
_ACTIVE = "status IN ('scheduled', 'waitlisted', 'offered')"


class ScreeningCouple(TimestampMixin, db.Model):
    """The couple a resident books for: both spouses' details, given once and reused.

    Typing two ID numbers proves nothing: whoever saves a pair gets a couple of their own.
    The bookings, results and letters of a couple belong to its member accounts (the one that
    gave it, and a spouse who joined with a code the first gave them)."""
    __tablename__ = "screening_couples"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The account that first gave this couple's details.
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    # Keyed hash of both spouses' ID numbers. It identifies the two people (one free check per
    # child, checked at the clinic against their ID cards), not who may see their records.
    couple_key: Mapped[str] = mapped_column(String(64), index=True)
    # A short-lived code the couple hands the other spouse to join (keyed hash, single use).
    join_code_digest: Mapped[str | None] = mapped_column(String(64))
    join_code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wife_name: Mapped[str] = mapped_column(EncryptedText("screening_couples.wife_name"))
    wife_id_number: Mapped[str] = mapped_column(EncryptedText("screening_couples.wife_id_number"))
    wife_phone: Mapped[str | None] = mapped_column(EncryptedText("screening_couples.wife_phone"))
    wife_hukou_region: Mapped[str] = mapped_column(String(12))
    husband_name: Mapped[str] = mapped_column(EncryptedText("screening_couples.husband_name"))
    husband_id_number: Mapped[str] = mapped_column(
        EncryptedText("screening_couples.husband_id_number"))
    husband_phone: Mapped[str | None] = mapped_column(
        EncryptedText("screening_couples.husband_phone"))
    husband_hukou_region: Mapped[str] = mapped_column(String(12))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    # Self-declared date since when both have lived here; staff may verify it.
    residence_since: Mapped[date | None] = mapped_column(Date)
    residence_verified_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    planning_pregnancy: Mapped[bool] = mapped_column(Boolean, default=True)
    # Which child the couple is planning (每孩次: one free check per couple per child).
    child_order: Mapped[int] = mapped_column(Integer)


class ScreeningCoupleMember(db.Model):
    """An account that may see and change a couple's bookings and results: one couple each."""
    __tablename__ = "screening_couple_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("screening_couples.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    # created (gave the couple) / join_code (confirmed by the other spouse's code; staff may
    # issue that code after checking both ID cards in person)
    joined_by: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScreeningAllowance(db.Model):
    """Staff allow a couple another free check for the same child (e.g. a lost pregnancy)."""
    __tablename__ = "screening_allowances"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_key: Mapped[str] = mapped_column(String(64), index=True)
    child_order: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    used_by_booking_id: Mapped[int | None] = mapped_column(ForeignKey("screening_bookings.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScreeningBooking(TimestampMixin, db.Model):
    __tablename__ = "screening_bookings"
    __table_args__ = (
        # One active booking per couple, whichever of its accounts made it. Per couple record,
        # not per pair of ID numbers: a stranger who typed the same pair must not block it.
        Index("uq_screening_bookings_one_active_per_couple", "couple_id", unique=True,
              postgresql_where=text(_ACTIVE), sqlite_where=text(_ACTIVE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("screening_slots.id"), index=True)
    # Whose booking it is: the members of this couple see it, its result and its letter.
    couple_id: Mapped[int | None] = mapped_column(ForeignKey("screening_couples.id"),
                                                  index=True)
    couple_key: Mapped[str] = mapped_column(String(64), index=True)
    child_order: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # BOOKING_STATUSES
    checkin_code: Mapped[str] = mapped_column(String(8))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    # A place offered from the waitlist is held until then.
    offer_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    slot: Mapped[ScreeningSlot] = relationship()


RISK_CATEGORIES = ("general", "high_risk")  # 一般人群 / 高风险人群
FOLLOW_UP_KINDS = ("referral", "early_pregnancy", "pregnancy_outcome")


class ScreeningResult(db.Model):
    """The check's outcome as the clinic recorded it (结果及评估建议)."""
    __tablename__ = "screening_results"
    __table_args__ = (CheckConstraint("risk_category in ('general', 'high_risk')",
                                      name="risk_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("screening_bookings.id"), unique=True)
    risk_category: Mapped[str] = mapped_column(String(16))
    risk_factors: Mapped[list] = mapped_column(db.JSON, default=list)
    # Advice is for the couple; notes are for clinicians only. Both are health information.
    advice: Mapped[str] = mapped_column(EncryptedText("screening_results.advice"))
    notes: Mapped[str | None] = mapped_column(EncryptedText("screening_results.notes"))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    booking: Mapped[ScreeningBooking] = relationship()


class ScreeningFollowUp(db.Model):
    """随访: referral of a high-risk couple, early pregnancy, pregnancy outcome."""
    __tablename__ = "screening_follow_ups"
    __table_args__ = (
        CheckConstraint("kind in ('referral', 'early_pregnancy', 'pregnancy_outcome')",
                        name="kind"),
        UniqueConstraint("booking_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("screening_bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(String(24))
    notes: Mapped[str | None] = mapped_column(EncryptedText("screening_follow_ups.notes"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    booking: Mapped[ScreeningBooking] = relationship()


class ScreeningTarget(db.Model):
    """The year's target number of couples checked, per township (任务数)."""
    __tablename__ = "screening_targets"
    __table_args__ = (UniqueConstraint("township_id", "year"),
                      CheckConstraint("target >= 0", name="target_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    year: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)


class ScreeningVillageTarget(db.Model):
    """A village's share of its township's year target (任务分解到村). A village without a
    row has no share: nothing is guessed from its size."""
    __tablename__ = "screening_village_targets"
    __table_args__ = (UniqueConstraint("village_id", "year"),
                      CheckConstraint("target >= 0", name="target_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    year: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
