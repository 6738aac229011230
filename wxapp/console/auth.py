"""Console sign-in and sign-out.

Sign-in uses the staff API's own rules (``services.accounts.staff_login.authenticate``): the
same lock-out per account and address, the same answer for an unknown user and a wrong
password, and the same per-address and per-account limits (``web/rate_limits.py``).

Accounts that see the whole township then give a code from their authenticator app
(``services.accounts.two_step``); one without a secret yet enrols first. Between the two
steps the session holds only a pending sign-in (whose, until when, and the secret being
enrolled, sealed with the data keyring): it opens no page."""
from __future__ import annotations

import time

import segno
from flask import flash, redirect, render_template, request, session, url_for
from markupsafe import Markup

from wxapp.console.access import (
    console_required,
    end_session,
    safe_next,
    signed_in_staff,
    start_signed_in_session,
)
from wxapp.errors import DomainError
from wxapp.extensions import db
from wxapp.models import StaffUser
from wxapp.security.encryption import DecryptionError, get_keyring
from wxapp.services import township_settings
from wxapp.services.accounts import staff_login, two_step
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_auth", __name__, url_prefix="/console")

FIELD_MAX = 256
PENDING = "pending_sign_in"
# Long enough to install an authenticator app while enrolling, short enough that a password
# typed at a shared PC and walked away from is not half a sign-in for the next person.
PENDING_SECONDS = 10 * 60
SECRET_CONTEXT = "console_session.totp_secret"


def _field(name: str) -> str:
    value = request.form.get(name, "")
    return value[:FIELD_MAX]


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next")) or "/console/"
    if request.method == "GET":
        if signed_in_staff() is not None:
            return redirect(next_url)
        return render_template("console/login.html", next_url=next_url, username="",
                               csrf_meta=True)
    username = _field("username").strip()
    try:
        staff = staff_login.authenticate(username, _field("password"),
                                         address=request.remote_addr)
    except DomainError as err:
        # 401 for a wrong password is what the per-account limit counts.
        return render_template("console/login.html", next_url=next_url, username=username,
                               error=err.message, csrf_meta=True), err.status
    if two_step.required_for(staff):
        _start_pending(staff, next_url)
        return redirect(url_for("console_auth.second_step"))
    start_signed_in_session(staff)
    return redirect(next_url)


def _start_pending(staff: StaffUser, next_url: str) -> None:
    session.clear()
    rotate = getattr(session, "rotate", None)
    if rotate is not None:
        rotate()
    session[PENDING] = {"id": staff.id, "v": staff.session_version, "at": time.time(),
                        "next": next_url}


def _pending() -> tuple[StaffUser | None, dict]:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    staff = db.session.get(StaffUser, pending.get("id"))
    if staff is None or not staff.active or staff.session_version != pending.get("v"):
        return None, {}
    return staff, pending


def _enrolment_secret(pending: dict) -> str:
    sealed = pending.get("secret")
    if sealed:
        try:
            return get_keyring().decrypt(sealed, SECRET_CONTEXT)
        except DecryptionError:
            pass
    secret = two_step.new_secret()
    pending["secret"] = get_keyring().encrypt(secret, SECRET_CONTEXT)
    session[PENDING] = pending
    return secret


def _qr_svg(uri: str) -> Markup:
    # Our own markup from our own address: inline SVG needs no script or style (CSP).
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, light="#fff", omitsize=True, svgclass="qr-code",
        title="两步验证设置二维码")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="两步验证设置二维码" ', 1))


@bp.route("/login/two-step", methods=["GET", "POST"])
def second_step():
    staff, pending = _pending()
    if staff is None:
        session.pop(PENDING, None)
        flash("登录已超时，请重新输入用户名和密码。", "info")
        return redirect(url_for("console_auth.login"))
    enrolling = not two_step.is_enrolled(staff)
    secret = _enrolment_secret(pending) if enrolling else None
    error, status = None, 200
    if request.method == "POST":
        code = _field("code")
        try:
            if enrolling:
                two_step.confirm_enrolment(staff, secret, code)
            else:
                two_step.verify(staff, code)
        except DomainError as err:
            error, status = err.message, err.status
        else:
            start_signed_in_session(staff)
            if enrolling:
                flash("两步验证已设置好。以后每次登录，输入密码后还需输入验证器上的6位数字。",
                      "success")
            return redirect(safe_next(pending.get("next")) or "/console/")
    context = {"enrolling": enrolling, "error": error,
               "issuer": township_settings.current().office_name,
               "username": staff.username, "csrf_meta": True}
    if enrolling:
        context.update(qr=_qr_svg(two_step.provisioning_uri(staff, secret)),
                       secret=two_step.grouped(secret))
    return render_template("console/two_step.html", **context), status


@bp.post("/logout")
def logout():
    end_session()
    flash("您已退出登录。", "success")
    return redirect(url_for("console_auth.login"))


@bp.post("/logout-everywhere")
@console_required()
def logout_everywhere():
    staff = signed_in_staff()
    staff_login.end_every_session(staff)
    end_session()
    flash("已在所有电脑和手机上退出登录，接口令牌也已失效。", "success")
    return redirect(url_for("console_auth.login"))
