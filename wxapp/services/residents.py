"""One Resident row per person across the official account and the mini-program."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.models.base import utcnow


def _find_one(**criteria) -> Resident | None:
    return db.session.scalars(select(Resident).filter_by(**criteria)).first()


def resident_for_miniprogram(mp_openid: str, unionid: str | None) -> Resident:
    """The resident behind a mini-program login, linking an official-account row by unionid."""
    resident = _find_one(mp_openid=mp_openid)
    if resident is None and unionid:
        resident = _find_one(unionid=unionid)
    if resident is None:
        resident = Resident(mp_openid=mp_openid)
        db.session.add(resident)
    resident.mp_openid = mp_openid
    if unionid and not resident.unionid:
        resident.unionid = unionid
    db.session.flush()
    return resident


def resident_for_official_account(oa_openid: str, unionid: str | None = None) -> Resident:
    resident = _find_one(oa_openid=oa_openid)
    if resident is None and unionid:
        resident = _find_one(unionid=unionid)
    if resident is None:
        resident = Resident(oa_openid=oa_openid)
        db.session.add(resident)
    resident.oa_openid = oa_openid
    if unionid and not resident.unionid:
        resident.unionid = unionid
    db.session.flush()
    return resident


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
