"""Birth registration (生育登记): the application, its couple and children, its history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime, utcnow
from wxapp.security.encryption import EncryptedText

# Statuses in which an application is still "open" for the same mother and pregnancy.
OPEN_STATUSES = ("submitted", "returned", "approved", "correction_requested")
OPEN_STATUS_SQL = "status IN ('submitted', 'returned', 'approved', 'correction_requested')"
# What residents read for each status (the mini-program, the official account, notices).
STATUS_LABELS = {"submitted": "待审核", "returned": "已退回待修改", "approved": "已登记",
                 "rejected": "未通过", "withdrawn": "已撤回",
                 "correction_requested": "更正审核中"}


class ConsentRecord(db.Model):
    """The resident's separate consent to process sensitive personal information (PIPL art. 29)."""
    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # birth_registration
    text_version: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BirthRegistration(TimestampMixin, db.Model):
    __tablename__ = "birth_registrations"
    __table_args__ = (
        Index("ix_birth_registrations_scope", "township_id", "village_id", "status"),
        # The database, not a check-then-insert, guarantees one open registration per mother
        # and pregnancy: two phones submitting at once cannot both succeed.
        Index("uq_birth_registrations_open_pregnancy", "mother_id_index", "child_order",
              unique=True,
              postgresql_where=text(OPEN_STATUS_SQL), sqlite_where=text(OPEN_STATUS_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_no: Mapped[str | None] = mapped_column(String(24), unique=True)
    # None when a village worker filed it for someone without the mini-program (代办).
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    filer_role: Mapped[str] = mapped_column(String(8))  # mother / father

    mother_name: Mapped[str] = mapped_column(EncryptedText("birth_registrations.mother_name"))
    mother_id_number: Mapped[str] = mapped_column(
        EncryptedText("birth_registrations.mother_id_number"))
    mother_id_index: Mapped[str] = mapped_column(String(64), index=True)
    mother_phone: Mapped[str | None] = mapped_column(
        EncryptedText("birth_registrations.mother_phone"))
    mother_hukou_region: Mapped[str] = mapped_column(String(12))
    mother_marital_status: Mapped[str | None] = mapped_column(String(16))
    father_name: Mapped[str] = mapped_column(EncryptedText("birth_registrations.father_name"))
    father_id_number: Mapped[str] = mapped_column(
        EncryptedText("birth_registrations.father_id_number"))
    father_id_index: Mapped[str] = mapped_column(String(64), index=True)
    father_phone: Mapped[str | None] = mapped_column(
        EncryptedText("birth_registrations.father_phone"))
    father_hukou_region: Mapped[str] = mapped_column(String(12))
    father_marital_status: Mapped[str | None] = mapped_column(String(16))
    marriage_date: Mapped[date | None] = mapped_column(Date)

    pregnancy_status: Mapped[str] = mapped_column(String(12))  # planning / pregnant / born
    expected_or_birth_date: Mapped[date | None] = mapped_column(Date)
    # The couple's children, encrypted as one JSON document: dates of birth are health data.
    existing_children: Mapped[str] = mapped_column(
        EncryptedText("birth_registrations.existing_children"))
    child_order: Mapped[int] = mapped_column(Integer)

    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # 一次性告知: every item to fix, at once: [{"field": ..., "message": ...}].
    return_items: Mapped[list | None] = mapped_column(JSON)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    registration_number: Mapped[str | None] = mapped_column(String(24), unique=True)
    certificate_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    certificate_revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Documents not yet available, covered by the resident's signed promise (承诺制).
    promised_documents: Mapped[list | None] = mapped_column(JSON)
    # A correction the resident asked for after approval, until a reviewer decides on it.
    pending_correction: Mapped[str | None] = mapped_column(
        EncryptedText("birth_registrations.pending_correction"))
    # Why this one needs a reviewer's eyes (instant registration skips those without any).
    conflict_flags: Mapped[list | None] = mapped_column(JSON)
    # Filed by a village worker on the resident's behalf (代办).
    filed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    events: Mapped[list[RegistrationEvent]] = relationship(
        order_by="RegistrationEvent.id", cascade="all, delete-orphan")


class RegistrationEvent(db.Model):
    """Every transition with who and when."""
    __tablename__ = "registration_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("birth_registrations.id"),
                                                 index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RegistrationDraft(db.Model):
    """A form in progress, kept on the server so that it can be resumed on another phone.
    Nothing in it is validated or used until the resident submits."""
    __tablename__ = "registration_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    data: Mapped[str] = mapped_column(EncryptedText("registration_drafts.data"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 onupdate=utcnow)
