"""通知送达: every notice residents were sent in a month, how each reached her, and which only
wait in her notice list (no WeChat message or text reached her), for the township office and
reviewers.

Filters arrive as a GET form; a month the page cannot read is said beside its field in
Chinese, with no rows, rather than silently replaced."""
from __future__ import annotations

from flask import g, render_template, request

from wxapp.china_time import china_today
from wxapp.console.access import console_required
from wxapp.errors import ValidationFailed
from wxapp.services import notice_overview
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_notices", __name__, url_prefix="/console/notices")
MONTH_ERROR = "请按“年-月”选择月份，例如 2026-03。"


def _month(errors: dict[str, str]) -> str:
    raw = request.args.get("month", "").strip()
    if not raw:
        return china_today().strftime("%Y-%m")
    if len(raw) != 7 or raw[4] != "-" or not (raw[:4] + raw[5:]).isdigit():
        errors["month"] = MONTH_ERROR
    return raw[:7]


@bp.get("")
@console_required(*notice_overview.VIEWERS)
def page():
    errors: dict[str, str] = {}
    month = _month(errors)
    about = request.args.get("about", "")
    if about and about not in notice_overview.SUBJECT_LABELS:
        errors["about"] = "请从列表中选择业务。"
    waiting = request.args.get("waiting") == "1"
    raw_page = request.args.get("page", "1")
    page_no = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 6 \
        else 1
    found = None
    if not errors:
        try:
            found = notice_overview.recent_notices(g.staff, month, about=about or None,
                                                   waiting_only=waiting, page=page_no)
        except ValidationFailed:
            errors["month"] = MONTH_ERROR
    args = {k: v for k, v in (("month", month), ("about", about),
                              ("waiting", "1" if waiting else "")) if v}
    return render_template("console/notices/page.html", found=found, errors=errors, args=args,
                           month=month, about=about, waiting=waiting,
                           subjects=notice_overview.SUBJECT_LABELS), 422 if errors else 200
