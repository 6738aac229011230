"""Sign-in for the resident's pages: ``/h5/auth/start`` sends the browser through WeChat's web
authorisation (snsapi_base, silent), ``/h5/auth/callback`` exchanges the code and lands on the
page asked for with the resident's API token in the URL's fragment (never sent to a server;
the page's script moves it to sessionStorage and removes it from the address bar).

The state travels twice: in WeChat's redirect and in an HttpOnly cookie on this browser, which
is how a link started on another phone is told apart (the cookie is set here by hand, on
/h5/auth/ only, and holds nothing but the state)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, make_response, redirect, render_template, request, url_for

from wxapp.config import settings
from wxapp.services.accounts import web_login
from wxapp.web.blueprint import Blueprint
from wxapp.web.errors import register_error_page

bp = Blueprint("h5_auth", __name__, url_prefix="/h5/auth")

STATE_COOKIE = "wxapp_h5_state"
COOKIE_PATH = "/h5/auth/"
# No script and nothing from elsewhere on these pages; the style sheet is our own.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _private(response):
    # The redirect carries the token (in its fragment); nothing here may be cached or leak
    # through a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _problem_page(message: str, code: str, status: int, next_path: str):
    response = make_response(render_template(
        "h5/auth_problem.html", message=message, code=code,
        start_url=url_for("h5_auth.start", next=next_path)), status)
    return _private(response)


def _error_page(err, status: int, code: str, message: str):
    """Any other error under /h5/auth/ (a rate limit, Redis down): a sentence, not JSON."""
    return _problem_page(message, code, status, web_login.PAGES_ROOT)


def register_h5_auth(app: Flask) -> None:
    app.register_blueprint(bp)
    register_error_page(app, "/h5/auth/", _error_page)


@bp.get("/start")
def start():
    """Send the browser through WeChat's authorise page, remembering where it was going."""
    begun = web_login.begin_web_sign_in(request.args.get("next"))
    response = redirect(begun.authorize_url, code=302)
    response.set_cookie(STATE_COOKIE, begun.state, max_age=begun.state_ttl_seconds,
                        path=COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=settings().public_base_url.startswith("https://"))
    return _private(response)


@bp.get("/callback")
def callback():
    """WeChat sends the browser back here with a code (once) and the state."""
    try:
        signed_in = web_login.finish_web_sign_in(request.args.get("state", ""),
                                                 request.cookies.get(STATE_COOKIE),
                                                 request.args.get("code", ""))
    except web_login.WebSignInFailed as failure:
        response = _problem_page(failure.message, failure.code, failure.status,
                                 failure.next_path)
        if failure.code != "auth.state_mismatch":
            # The cookie is this browser's own pending sign-in, unless the link was not.
            response.delete_cookie(STATE_COOKIE, path=COOKIE_PATH)
        return response
    fragment = urlencode({"token": signed_in.token, "expires_in": signed_in.expires_in})
    response = redirect(f"{signed_in.next_path}#{fragment}", code=302)
    response.delete_cookie(STATE_COOKIE, path=COOKIE_PATH)
    return _private(response)
