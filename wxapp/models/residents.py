"""A resident: one person across the official account, the mini-program and the open platform."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wxapp.extensions import db
from wxapp.models.base import TimestampMixin, UtcDateTime


class Resident(TimestampMixin, db.Model):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Openids are per app; the unionid (when the apps are bound to one open platform account)
    # is what tells us the official-account follower and the mini-program user are one person.
    oa_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    mp_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), unique=True)
    follows_official_account: Mapped[bool] = mapped_column(Boolean, default=False)
    followed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unfollowed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Bumped to revoke every token the resident holds (account disabled, "log out everywhere").
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
