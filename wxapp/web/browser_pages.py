"""What every tree of browser pages (the staff console, later the resident H5 pages) needs and
the JSON APIs must not have: CSRF checks on every request that changes something, and the
security headers of a page that shows personal data.

CSRF is Flask-WTF's, with its app-wide check switched off (``WTF_CSRF_CHECK_DEFAULT=False``):
the APIs, the WeChat endpoint and the cabinets prove who calls with a bearer token or a
signature, which a cross-site form cannot send, and they carry no cookie to ride on. Pages
check it here, by path, so a page added under the prefix is covered without remembering to.
The token is tied to the cookie session and lives as long as it does (no separate time limit:
a form left open over lunch must still post while the session lasts).
"""
from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

# Nothing inline, nothing from elsewhere: an injected <script> or style= does not run.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'none'")
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: Flask-WTF's HTTPS check compares the Referer's origin.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Every page may carry personal data: no copy in the browser's or a proxy's cache.
    "Cache-Control": "no-store",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXTENSION = "wxapp_csrf"


def csrf_for(app: Flask) -> CSRFProtect:
    csrf = app.extensions.get(EXTENSION)
    if csrf is None:
        app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
        app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
        csrf = CSRFProtect(app)
        app.extensions[EXTENSION] = csrf
    return csrf


def protect_pages(app: Flask, prefix: str) -> None:
    csrf = csrf_for(app)

    @app.before_request
    def _check_csrf():
        if request.path.startswith(prefix) and request.method in UNSAFE_METHODS:
            csrf.protect()  # raises CSRFError (a 400) without a valid token

    @app.after_request
    def _page_headers(response):
        if request.path.startswith(prefix):
            for name, value in PAGE_HEADERS.items():
                response.headers[name] = value
        return response
