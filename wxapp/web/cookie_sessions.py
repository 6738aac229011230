"""Cookie sessions for the browser pages only (the staff console; the resident H5 pages can
join with one more scope), and none anywhere else.

The JSON APIs, the WeChat push endpoint and the cabinets authenticate every request with a
bearer token or a signature: outside the scopes below Flask gets its NullSession, which
refuses to be written to, so they never send a Set-Cookie (and never pay for a signer).

Inside a scope the cookie holds only an opaque random id, scoped to the pages' path,
HttpOnly, SameSite=Strict and Secure in production. The session itself is a JSON record in
Redis under a hash of that id (whoever can read Redis still cannot replay a cookie). It ends
after ``idle_seconds`` without a request and ``absolute_seconds`` after it began, judged from
the times kept in the record itself, so expiry holds whatever Redis does with its TTLs (which
only collect the garbage). A Redis that cannot be reached yields an empty session that is
never saved: the visitor is simply not signed in (fail closed).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
import time
from dataclasses import dataclass

import redis
from flask import Flask
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from wxapp.extensions import get_redis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CookieScope:
    """A tree of pages that keeps a cookie session: ``prefix`` ends with a slash."""

    prefix: str
    cookie_name: str
    idle_seconds: int
    absolute_seconds: int
    secure: bool

    @property
    def kind(self) -> str:
        return self.prefix.strip("/").replace("/", "-") or "root"


class ServerSession(CallbackDict, SessionMixin):
    """A dict kept in Redis. ``rotate()`` gives it a new id (at sign-in: an id planted in the
    browser beforehand is worth nothing after); ``expired`` says that the browser brought a
    session that had run out, so the page can say why the visitor must sign in again."""

    def __init__(self, scope: CookieScope, sid: str | None = None, data: dict | None = None,
                 created: float | None = None):
        def on_update(_):
            self.modified = True

        super().__init__(data or {}, on_update)
        self.scope = scope
        self.sid = sid
        self.created = created
        self.modified = False
        self.expired = False
        self.unavailable = False
        self.cookie_sent = False
        self.stale_sids: list[str] = []

    @property
    def new(self) -> bool:  # SessionMixin's name
        return self.sid is None

    def rotate(self) -> None:
        if self.sid is not None:
            self.stale_sids.append(self.sid)
        self.sid = None
        self.created = None
        self.modified = True

    def age_seconds(self, now: float | None = None) -> float:
        return 0.0 if self.created is None else (now or time.time()) - self.created


def _redis_key(scope: CookieScope, sid: str) -> str:
    return f"wxapp:cookie_session:{scope.kind}:{hashlib.sha256(sid.encode()).hexdigest()}"


_REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ScopedServerSessions(SessionInterface):
    def __init__(self, scopes: list[CookieScope]):
        self.scopes = list(scopes)

    def scope_for(self, path: str) -> CookieScope | None:
        for scope in self.scopes:
            if path.startswith(scope.prefix):
                return scope
        return None

    def open_session(self, app, request):
        scope = self.scope_for(request.path)
        if scope is None:
            return None  # Flask's NullSession: nothing can be stored, no cookie is sent
        sid = request.cookies.get(scope.cookie_name)
        # An id of the wrong shape is not looked up at all.
        if sid is not None and not (20 <= len(sid) <= 64 and sid.isascii()):
            sid = None
        if sid is None:
            return ServerSession(scope)
        try:
            raw = get_redis().get(_redis_key(scope, sid))
        except _REDIS_DOWN as exc:
            log.error("session store unreachable: %s", exc)
            session = ServerSession(scope)
            session.unavailable = True
            return session
        session = ServerSession(scope)
        session.cookie_sent = True
        record = _parse(raw)
        now = time.time()
        if record is None:
            # Redis dropped it at its deadline (or it never existed): either way the browser
            # had a session that is over.
            session.stale_sids.append(sid)
            session.expired = True
            return session
        if (now - record["seen"] > scope.idle_seconds
                or now - record["created"] > scope.absolute_seconds):
            session.stale_sids.append(sid)
            session.expired = True
            return session
        session = ServerSession(scope, sid, record["data"], record["created"])
        session.cookie_sent = True
        return session

    def save_session(self, app, session, response):
        if not isinstance(session, ServerSession) or session.unavailable:
            return
        scope = session.scope
        store = get_redis()
        for stale in session.stale_sids:
            store.delete(_redis_key(scope, stale))
        if not session:
            if session.sid is not None:
                store.delete(_redis_key(scope, session.sid))
            if session.cookie_sent:
                response.delete_cookie(scope.cookie_name, path=scope.prefix,
                                       secure=scope.secure, httponly=True, samesite="Strict")
            return
        now = time.time()
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
            session.created = now
        # Every request the session serves moves its idle deadline: the record is written
        # each time (a few hundred bytes), and Redis drops it when neither deadline is left.
        left = min(scope.idle_seconds, scope.absolute_seconds - (now - session.created))
        if left <= 0:
            store.delete(_redis_key(scope, session.sid))
            return
        record = {"created": session.created, "seen": now, "data": dict(session)}
        store.set(_redis_key(scope, session.sid), json.dumps(record), ex=math.ceil(left))
        # No Max-Age: the cookie goes with the browser, the session with the deadlines.
        response.set_cookie(scope.cookie_name, session.sid, path=scope.prefix,
                            secure=scope.secure, httponly=True, samesite="Strict")
        response.vary.add("Cookie")


def _parse(raw) -> dict | None:
    if raw is None:
        return None
    try:
        record = json.loads(raw)
        float(record["created"])
        float(record["seen"])
        if not isinstance(record["data"], dict):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    return record


def console_scope(settings) -> CookieScope:
    return CookieScope(prefix="/console/", cookie_name="wxapp_console",
                       idle_seconds=settings.console_session_idle_minutes * 60,
                       absolute_seconds=settings.console_session_absolute_hours * 3600,
                       secure=settings.is_production)


def install_cookie_sessions(app: Flask) -> None:
    settings = app.config["WXAPP"]
    app.session_interface = ScopedServerSessions([console_scope(settings)])
