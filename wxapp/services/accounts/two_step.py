"""Two-step sign-in (TOTP, RFC 6238: 6 digits, 30-second steps) for the accounts that see the
whole township's personal data: the township office and reviewers.

Invariants: such an account is never signed in to the console on its password alone; it
enrols (confirms a first code for a new secret) before its first session. A code is accepted
for the current step and one step either side (clocks drift), and never for a step at or
before the last accepted one, so a code seen over a shoulder or replayed is refused; the
conditional UPDATE makes that hold for two requests at once too. Five wrong codes in 15
minutes lock the account's two-step check for the rest of the window. The secret is kept
encrypted (``staff_users.totp_secret``); the office can reset it (audited), which also ends
the account's sessions, and the account enrols again at its next sign-in.
"""
from __future__ import annotations

import hmac
import time
import unicodedata

import pyotp
from sqlalchemy import or_, update

from wxapp.errors import RateLimited, Unauthorized, ValidationFailed
from wxapp.extensions import db, get_redis
from wxapp.models import StaffUser
from wxapp.models.base import utcnow
from wxapp.services import township_settings
from wxapp.services.accounts.staff_accounts import account_for_admin
from wxapp.services.audit import Actor, record_audit

# Roles that see every village's personal data.
TWO_STEP_ROLES = ("township_admin", "reviewer")
STEP_SECONDS = 30
DIGITS = 6
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60


def required_for(staff: StaffUser) -> bool:
    return staff.role in TWO_STEP_ROLES


def is_enrolled(staff: StaffUser) -> bool:
    return staff.totp_secret is not None


def new_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def provisioning_uri(staff: StaffUser, secret: str) -> str:
    """The otpauth:// address the enrolment QR code carries."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=staff.username, issuer_name=township_settings.current().office_name)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def _clean_code(code: str) -> str:
    # Full-width digits from a Chinese input method, spaces from "123 456".
    code = unicodedata.normalize("NFKC", code or "").replace(" ", "").replace("-", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        raise ValidationFailed("staff.two_step_code_invalid", "请输入验证器上显示的6位数字。",
                               details={"code": "请输入验证器上显示的6位数字。"})
    return code


def _failure_key(staff_id: int) -> str:
    return f"wxapp:two_step_failures:{staff_id}"


def _check_not_locked(staff: StaffUser) -> None:
    key = _failure_key(staff.id)
    if int(get_redis().get(key) or 0) >= MAX_FAILURES:
        wait = get_redis().ttl(key)
        raise RateLimited("staff.two_step_locked", "验证码错误次数过多，请15分钟后再试。",
                          retry_after=wait if wait and wait > 0 else FAILURE_WINDOW_SECONDS)


def _fail(staff: StaffUser, code: str, message: str) -> Unauthorized:
    pipe = get_redis().pipeline()
    pipe.incr(_failure_key(staff.id))
    pipe.expire(_failure_key(staff.id), FAILURE_WINDOW_SECONDS, nx=True)
    pipe.execute()
    return Unauthorized(code, message)


def _matching_step(secret: str, code: str) -> int | None:
    now = current_step()
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def _claim_step(staff: StaffUser, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was. A conditional UPDATE:
    of two requests with the same code, exactly one succeeds."""
    result = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == staff.id,
               or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.expire(staff, ["totp_last_step"])
    return True


def _accept(staff: StaffUser, secret: str, code: str) -> None:
    _check_not_locked(staff)
    code = _clean_code(code)
    step = _matching_step(secret, code)
    if step is None:
        raise _fail(staff, "staff.two_step_wrong_code",
                    "验证码不正确。请确认手机时间准确，并输入验证器上当前显示的6位数字。")
    if not _claim_step(staff, step):
        raise _fail(staff, "staff.two_step_code_used",
                    "这个验证码已经用过了，请等验证器显示下一个验证码后再输入。")
    get_redis().delete(_failure_key(staff.id))


def verify(staff: StaffUser, code: str) -> None:
    """The second step of sign-in for an enrolled account; raises if the code is refused."""
    if staff.totp_secret is None:
        raise Unauthorized("staff.two_step_not_enrolled", "尚未设置两步验证，请重新登录。")
    _accept(staff, staff.totp_secret, code)


def confirm_enrolment(staff: StaffUser, secret: str, code: str) -> None:
    """The first code from a new secret proves the app holds it; only then is it kept."""
    if staff.totp_secret is not None:
        raise Unauthorized("staff.two_step_already_enrolled", "已设置过两步验证，请重新登录。")
    _accept(staff, secret, code)
    staff.totp_secret = secret
    staff.totp_enrolled_at = utcnow()
    db.session.flush()
    record_audit(Actor("staff", str(staff.id)), "staff.two_step_enrolled", "staff_user",
                 staff.id)


def reset_two_step(admin: StaffUser, staff_id: int) -> StaffUser:
    """The office clears an account's two-step sign-in (a lost or replaced phone): the
    account enrols again at its next sign-in, and its open sessions and API tokens end,
    since whoever holds the old phone may be signed in. Resetting one that is not set up
    changes nothing (a retried request is harmless)."""
    account = account_for_admin(admin, staff_id)
    if account.totp_secret is None and account.totp_enrolled_at is None:
        return account
    account.totp_secret = None
    account.totp_enrolled_at = None
    account.totp_last_step = None
    account.session_version += 1
    db.session.flush()
    get_redis().delete(_failure_key(account.id))
    record_audit(Actor("staff", str(admin.id)), "staff.two_step_reset", "staff_user",
                 account.id)
    return account
