"""Who is signed in to the console, and the decorator every console page wears.

The cookie session (``wxapp.web.cookie_sessions``) holds ``{"staff": {"id", "v"}}`` once
sign-in is complete. ``v`` is the account's ``session_version`` at sign-in: disabling the
account, resetting its password or two-step sign-in, or "sign out everywhere" raises it, and
every console session (and API token) issued before ends at its next request."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import flash, g, redirect, request, session, url_for

from wxapp.errors import Forbidden
from wxapp.extensions import db
from wxapp.models import StaffUser

SIGNED_IN = "staff"
EXPIRED_MESSAGE = "登录已失效（长时间未操作或已超过规定时长），请重新登录。"


def signed_in_staff() -> StaffUser | None:
    """The staff member this browser is signed in as, or None (and the session is emptied
    if it belonged to an account that has since been disabled or signed out everywhere)."""
    if "staff" in g:
        return g.staff
    record = session.get(SIGNED_IN)
    staff = None
    if isinstance(record, dict):
        staff = db.session.get(StaffUser, record.get("id"))
        if staff is None or not staff.active or staff.session_version != record.get("v"):
            session.clear()
            staff = None
    if staff is not None:
        g.staff = staff
    return staff


def start_signed_in_session(staff: StaffUser) -> None:
    """A new session id for a new identity (no fixation), holding nothing from before."""
    session.clear()
    rotate = getattr(session, "rotate", None)
    if rotate is not None:
        rotate()
    session[SIGNED_IN] = {"id": staff.id, "v": staff.session_version}
    g.staff = staff


def end_session() -> None:
    session.clear()
    g.pop("staff", None)


def safe_next(target: str | None) -> str | None:
    """Only a console path of this site: never another host (an open redirect)."""
    if not target or not isinstance(target, str) or len(target) > 500:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or target.startswith("//"):
        return None
    if not parts.path.startswith("/console/"):
        return None
    return target


def _where_to_return() -> str:
    if request.headers.get("HX-Request"):
        # A fragment's URL is no page to come back to: the page it was loaded into is.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = current.path + (f"?{current.query}" if current.query else "")
        return safe_next(target) or "/console/"
    if request.method != "GET":
        return "/console/"
    return safe_next(request.full_path.rstrip("?")) or "/console/"


def to_sign_in():
    if getattr(session, "expired", False):
        flash(EXPIRED_MESSAGE, "info")
    login_url = url_for("console_auth.login", next=_where_to_return())
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)


def console_required(*roles: str):
    """Signed-in staff (``g.staff``), of one of ``roles`` if any are given. Put it directly
    under the route decorator."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            staff = signed_in_staff()
            if staff is None:
                return to_sign_in()
            if roles and staff.role not in roles:
                raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
            return view(*args, **kwargs)

        wrapper.console_roles = roles
        return wrapper

    return decorate
