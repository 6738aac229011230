"""Fetch a resident's own record in one step: anyone else's is simply not found."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.errors import NotFound
from wxapp.extensions import db


def owned_by(resident, model, record_id: int, code: str, message: str):
    record = db.session.scalars(select(model).filter_by(id=record_id,
                                                        resident_id=resident.id)).first()
    if record is None:
        raise NotFound(code, message)
    return record
