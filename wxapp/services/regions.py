"""The townships and villages this deployment serves."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Township


def townships() -> list[Township]:
    return list(db.session.scalars(select(Township).order_by(Township.code)))
