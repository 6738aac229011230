"""Console sign-in and sign-out.

Sign-in uses the staff API's own rules (``services.accounts.staff_login.authenticate``): the
same lock-out per account and address, the same answer for an unknown user and a wrong
password, and the same per-address and per-account limits (``web/rate_limits.py``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from wxapp.console.access import (
    console_required,
    end_session,
    safe_next,
    signed_in_staff,
    start_signed_in_session,
)
from wxapp.errors import DomainError
from wxapp.services.accounts import staff_login
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_auth", __name__, url_prefix="/console")

FIELD_MAX = 256


def _field(name: str) -> str:
    value = request.form.get(name, "")
    return value[:FIELD_MAX]


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next")) or "/console/"
    if request.method == "GET":
        if signed_in_staff() is not None:
            return redirect(next_url)
        return render_template("console/login.html", next_url=next_url, username="")
    username = _field("username").strip()
    try:
        staff = staff_login.authenticate(username, _field("password"),
                                         address=request.remote_addr)
    except DomainError as err:
        # 401 for a wrong password is what the per-account limit counts.
        return render_template("console/login.html", next_url=next_url, username=username,
                               error=err.message), err.status
    start_signed_in_session(staff)
    return redirect(next_url)


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
