"""No cookie sessions.

Residents, staff and cabinets all authenticate with a bearer token in the Authorization
header; nothing is kept in a cookie. Flask's signed-cookie session would still build a signer
on every request (a few per cent of a WeChat push's CPU), and a cookie that could carry state
would be one more thing to secure.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SessionInterface


class NoCookieSessions(SessionInterface):
    def open_session(self, app, request):
        # None makes Flask use its NullSession, which refuses to be written to.
        return None

    def save_session(self, app, session, response):
        return None


def disable_cookie_sessions(app: Flask) -> None:
    app.session_interface = NoCookieSessions()
