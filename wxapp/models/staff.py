"""Staff accounts of the township health office, village workers and clinics."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime
from wxapp.models.regions import Township, Village
from wxapp.security.encryption import EncryptedText

if TYPE_CHECKING:
    from wxapp.models.screening import Clinic

STAFF_ROLES = ("township_admin", "reviewer", "village_worker", "clinic")

# Clinic staff work at one or more clinics and see only those clinics' days, bookings, results
# and follow-ups (a county hospital's doctor also running sessions at the township clinic).
staff_clinics = Table(
    "staff_clinics",
    db.metadata,
    Column("staff_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Column("clinic_id", ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class StaffUser(TimestampMixin, db.Model):
    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(
            "role in ('township_admin', 'reviewer', 'village_worker', 'clinic')", name="role"
        ),
        # A village worker works for one village; everyone else for a whole township.
        CheckConstraint("role != 'village_worker' OR village_id IS NOT NULL",
                        name="village_worker_has_village"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Every session carries the version it was issued under: raising it (disabling the
    # account, resetting the password) ends every open session at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # For alerts by text message (deadlines, cabinets offline, stock out); optional.
    phone: Mapped[str | None] = mapped_column(EncryptedText("staff_users.phone"))
    # Two-step sign-in (TOTP, services/accounts/two_step.py): the shared secret, encrypted
    # like personal data (whoever reads it can make codes); the last time step whose code was
    # accepted, so that a code is never accepted twice; when the secret was confirmed.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText("staff_users.totp_secret"))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    clinics: Mapped[list[Clinic]] = relationship(secondary=staff_clinics, order_by="Clinic.id")

    @property
    def clinic_ids(self) -> list[int]:
        return [c.id for c in self.clinics]
