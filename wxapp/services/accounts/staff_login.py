"""Staff sign-in: username + argon2 password, server-side sessions, lock-out after failures.

The lock-out counts failures per account *and* client address: five wrong passwords from a
stranger lock the stranger out, not the reviewer at her own desk. Guessing one account from
many addresses is bounded by the per-account limit on failures (``web/rate_limits.py``)."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from wxapp.config import settings
from wxapp.errors import Forbidden, RateLimited, Unauthorized
from wxapp.extensions import db, get_redis
from wxapp.models import StaffUser
from wxapp.models.base import utcnow
from wxapp.services.accounts.passwords import verify_against_nobody, verify_password
from wxapp.services.accounts.sessions import issue_session, resolve_session, revoke_session
from wxapp.services.audit import Actor, record_audit

STAFF = "staff"
STAFF_TOKEN_TTL_SECONDS = 8 * 3600  # one working day
FAILURE_WINDOW_SECONDS = 15 * 60


def _failure_key(username: str, address: str | None) -> str:
    # Hashed: Redis keys are visible to whoever runs Redis; usernames and addresses need not be.
    who = hashlib.sha256(f"{username.lower()}\x00{address or '-'}".encode()).hexdigest()
    return f"wxapp:staff_login_failures:{who}"


def _count_failure(key: str) -> None:
    pipe = get_redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, FAILURE_WINDOW_SECONDS, nx=True)
    pipe.execute()


def login(username: str, password: str, address: str | None = None) -> tuple[str, int]:
    """``address``: the client's, so that failures lock that address out of this account."""
    staff = authenticate(username, password, address)
    return issue_session(STAFF, staff.id, staff.session_version, STAFF_TOKEN_TTL_SECONDS)


def authenticate(username: str, password: str, address: str | None = None) -> StaffUser:
    """The active account these credentials open, under the lock-out rules; the API issues a
    token for it, the console a cookie session (after the two-step code where one is due)."""
    username = (username or "").strip()
    key = _failure_key(username, address)
    failures = int(get_redis().get(key) or 0)
    if failures >= settings().staff_login_max_failures:
        wait = get_redis().ttl(key)
        raise RateLimited("staff.login_locked", "密码错误次数过多，请15分钟后再试。",
                          retry_after=wait if wait and wait > 0 else FAILURE_WINDOW_SECONDS)
    staff = db.session.scalars(select(StaffUser).filter_by(username=username)).first()
    if staff is None:
        verify_against_nobody(password or "")
    if staff is None or not verify_password(staff.password_hash, password or ""):
        _count_failure(key)
        raise Unauthorized("staff.bad_credentials", "用户名或密码不正确。")
    if not staff.active:
        raise Forbidden("staff.disabled", "该账号已停用。")
    get_redis().delete(key)
    staff.last_login_at = utcnow()
    db.session.flush()
    return staff


def staff_from_token(token: str | None) -> tuple[StaffUser, str]:
    session = resolve_session(STAFF, token, STAFF_TOKEN_TTL_SECONDS)
    staff = db.session.get(StaffUser, session.subject_id)
    if staff is None or not staff.active or staff.session_version != session.version:
        raise Unauthorized("auth.token_revoked", "登录已失效，请重新登录。")
    return staff, session.sid


def logout(sid: str) -> None:
    revoke_session(STAFF, sid)


def end_every_session(staff: StaffUser) -> None:
    """"Sign out everywhere": every console session and every API token of the account ends
    (they all carry the session version this raises)."""
    staff.session_version += 1
    db.session.flush()
    record_audit(Actor("staff", str(staff.id)), "staff.signed_out_everywhere", "staff_user",
                 staff.id)
