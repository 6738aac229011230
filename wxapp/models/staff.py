"""Staff accounts of the township health office, village workers and clinics."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime
from wxapp.models.regions import Township, Village

STAFF_ROLES = ("township_admin", "reviewer", "village_worker", "clinic")


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
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
