"""One Resident row per person across the official account and the mini-program."""
from __future__ import annotations

import logging

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.models.base import utcnow

log = logging.getLogger(__name__)


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


def resident_for_web_authorisation(oa_openid: str, unionid: str | None) -> Resident:
    """The resident signing in to the pages with the official account's openid.

    The chat may have made a row for this openid before anyone knew its unionid, while the
    mini-program made another under the unionid. The pages work on the mini-program's API, so
    the unionid's row wins; merging the two needs a person to look at both, and linking this
    openid's row to the unionid would break the unique unionid."""
    if unionid:
        by_openid = _find_one(oa_openid=oa_openid)
        by_unionid = _find_one(unionid=unionid)
        if by_openid is not None and by_unionid is not None and by_openid.id != by_unionid.id:
            log.warning("resident %s (official account) and %s (unionid) are one person in "
                        "two rows; the pages sign in as %s", by_openid.id, by_unionid.id,
                        by_unionid.id)
            return by_unionid
    return resident_for_official_account(oa_openid, unionid)


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
