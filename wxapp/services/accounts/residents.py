"""One Resident row per person across the official account and the mini-program."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.models.base import utcnow


def _find_one(**criteria) -> Resident | None:
    return db.session.scalars(select(Resident).filter_by(**criteria)).first()


def _resident_for(openid_column: str, openid: str, unionid: str | None) -> Resident:
    """The resident behind an app's openid; a unionid links a row the other app created."""
    resident = _find_one(**{openid_column: openid})
    if resident is None and unionid:
        resident = _find_one(unionid=unionid)
    if resident is None:
        resident = Resident()
        db.session.add(resident)
    setattr(resident, openid_column, openid)
    if unionid and not resident.unionid:
        resident.unionid = unionid
    db.session.flush()
    return resident


def resident_for_miniprogram(mp_openid: str, unionid: str | None) -> Resident:
    return _resident_for("mp_openid", mp_openid, unionid)


def resident_for_official_account(oa_openid: str, unionid: str | None = None) -> Resident:
    return _resident_for("oa_openid", oa_openid, unionid)


def record_follow(oa_openid: str) -> Resident:
    resident = resident_for_official_account(oa_openid)
    resident.follows_official_account = True
    resident.followed_at = utcnow()
    db.session.flush()
    return resident


def record_unfollow(oa_openid: str) -> Resident | None:
    resident = _find_one(oa_openid=oa_openid)
    if resident is not None:
        resident.follows_official_account = False
        resident.unfollowed_at = utcnow()
        db.session.flush()
    return resident
