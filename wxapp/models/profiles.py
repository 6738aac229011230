"""A resident's own details, given once and offered again in every later form."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin
from wxapp.security.encryption import EncryptedText


class ResidentProfile(TimestampMixin, db.Model):
    __tablename__ = "resident_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    name: Mapped[str | None] = mapped_column(EncryptedText("resident_profiles.name"))
    id_number: Mapped[str | None] = mapped_column(EncryptedText("resident_profiles.id_number"))
    # Keyed hash of the normalised ID number, for "is this person already known" look-ups.
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText("resident_profiles.phone"))
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    hukou_region_code: Mapped[str | None] = mapped_column(String(12))
    current_address: Mapped[str | None] = mapped_column(
        EncryptedText("resident_profiles.current_address"))
