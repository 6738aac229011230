"""Staff sign-in: username + argon2 password, server-side sessions, lock-out after failures."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.errors import Forbidden, RateLimited, Unauthorized
from wxapp.extensions import db, get_redis
from wxapp.models import StaffUser
from wxapp.models.base import utcnow
from wxapp.services.accounts.passwords import verify_against_nobody, verify_password
from wxapp.services.accounts.sessions import issue_session, resolve_session, revoke_session

STAFF = "staff"
STAFF_TOKEN_TTL_SECONDS = 8 * 3600  # one working day
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60


def _failure_key(username: str) -> str:
    return f"wxapp:staff_login_failures:{username.lower()}"


def _count_failure(username: str) -> None:
    pipe = get_redis().pipeline()
    pipe.incr(_failure_key(username))
    pipe.expire(_failure_key(username), FAILURE_WINDOW_SECONDS, nx=True)
    pipe.execute()


def login(username: str, password: str) -> tuple[str, int]:
    username = (username or "").strip()
    failures = int(get_redis().get(_failure_key(username)) or 0)
    if failures >= MAX_FAILURES:
        raise RateLimited("staff.login_locked", "密码错误次数过多，请15分钟后再试。")
    staff = db.session.scalars(select(StaffUser).filter_by(username=username)).first()
    if staff is None:
        verify_against_nobody(password or "")
    if staff is None or not verify_password(staff.password_hash, password or ""):
        _count_failure(username)
        raise Unauthorized("staff.bad_credentials", "用户名或密码不正确。")
    if not staff.active:
        raise Forbidden("staff.disabled", "该账号已停用。")
    get_redis().delete(_failure_key(username))
    staff.last_login_at = utcnow()
    db.session.flush()
    return issue_session(STAFF, staff.id, staff.session_version, STAFF_TOKEN_TTL_SECONDS)


def staff_from_token(token: str | None) -> tuple[StaffUser, str]:
    session = resolve_session(STAFF, token, STAFF_TOKEN_TTL_SECONDS)
    staff = db.session.get(StaffUser, session.subject_id)
    if staff is None or not staff.active or staff.session_version != session.version:
        raise Unauthorized("auth.token_revoked", "登录已失效，请重新登录。")
    return staff, session.sid


def logout(sid: str) -> None:
    revoke_session(STAFF, sid)
