"""The township's own rules and contact facts as the office set them in the console.

One row per setting that the office has changed; a setting without a row takes its value from
the environment (``wxapp.config.Settings``), so a fresh machine works before anyone has been
to the settings page. Values are text, typed and validated by
``wxapp.services.township_settings``: a new setting needs a line there, not a migration."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import UtcDateTime, utcnow


class TownshipSetting(db.Model):
    __tablename__ = "township_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
