"""A resident's own details, given once and offered again in every later form."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime
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
    # She agreed to be texted at this number when WeChat cannot reach her (PIPL: a purpose
    # she was told and agreed to); None: never text her.
    sms_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    hukou_region_code: Mapped[str | None] = mapped_column(String(12))
    current_address: Mapped[str | None] = mapped_column(
        EncryptedText("resident_profiles.current_address"))
