"""The resident pages: HTML shells with no personal data in them. Each page's own script signs
in (the token arrives in the URL fragment, see wxapp/static/h5/api.js) and talks to /api/v1
with a bearer token, exactly as the mini-program does."""
from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, render_template, request

from wxapp.services import township_settings
from wxapp.services.faq.admin import known_categories

bp = Blueprint("h5", __name__, url_prefix="/h5")

# No inline script or style anywhere: everything the page runs is a file of this app.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self'; connect-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# The journeys, in the order of the home page's menu: endpoint, title, one line of what it does.
JOURNEYS = (
    ("h5.registration", "生育登记", "怀孕或生了孩子，在这里登记，不用跑腿。"),
    ("h5.screening", "免费孕前检查", "夫妻俩预约免费的孕前优生健康检查。"),
    ("h5.supplies", "免费避孕药具", "就近领取，凭领取码到自助机或发放点拿。"),
    ("h5.ask", "问一问", "有不明白的，直接问，机器人答不了就转人工。"),
    ("h5.faq", "常见问题", "大家常问的，按事情分好了，点开就能看。"),
    ("h5.notices", "我的消息", "办理进度和提醒都在这里。"),
)
QR_MAX_CHARS = 200


@bp.after_request
def page_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # The token lives in the fragment, which browsers never send; no address leaks either.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(template: str, **context) -> str:
    settings = township_settings.current()
    return render_template(f"h5/{template}", office_name=settings.office_name,
                           office_phone=settings.office_phone,
                           office_hours=settings.office_hours, journeys=JOURNEYS, **context)


@bp.get("/")
def home():
    return _page("home.html")


@bp.get("/registration")
def registration():
    return _page("registration.html")


@bp.get("/screening")
def screening():
    return _page("screening.html")


@bp.get("/supplies")
def supplies():
    return _page("supplies.html")


@bp.get("/ask")
def ask():
    return _page("ask.html")


@bp.get("/faq")
def faq():
    # The topics' names are the knowledge base's; the API serves entries by topic code only.
    return _page("faq.html", topics=known_categories())


@bp.get("/notices")
def notices():
    return _page("notices.html")


@bp.post("/qr.svg")
def qr_code():
    """A QR code (SVG) of the text posted, drawn here so that the page needs no QR library.
    POST, not GET: a check-in or pickup code never sits in an address or an access log."""
    body = request.get_json(silent=True) or {}
    text = body.get("text")
    if not isinstance(text, str) or not 0 < len(text) <= QR_MAX_CHARS:
        abort(400)
    drawn = io.BytesIO()
    # Four modules of quiet zone, as scanners expect; white behind it for dark-mode screens.
    segno.make(text, error="m").save(drawn, kind="svg", xmldecl=False, scale=6, border=4,
                                     light="#fff", title="二维码")
    response = Response(drawn.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
