"""好差评: a month's satisfaction by service and village for the office, reviewers and village
workers (each within her area, as the staff API's summary; clinic staff have neither), and
for the township office alone the call-backs on poor ratings (as the staff API's call-back
list).

Who rated is never on the page: the summary is counts, a call-back shows the rater masked with
the audited reveal beside it, and a rating about the viewer's own work is not hers to see or
handle (the service leaves it out; its reveal and its form answer 404). Recording a call-back
is a POST answered with a redirect; a refused one rolls back and says why beside its field;
sent twice (a double click, the back button) it is recorded, audited and told to the resident
once, and the second answer says so."""
from __future__ import annotations

import re

from flask import abort, g, redirect, render_template, request, session, url_for

from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_error, flash_info, flash_success
from wxapp.errors import Conflict, ValidationFailed
from wxapp.formats import svg_charts
from wxapp.models.ratings import SCORE_LABELS
from wxapp.services import rating_board, ratings
from wxapp.transactions import rollback
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_ratings", __name__, url_prefix="/console/ratings")

VIEWERS = ratings.SUMMARY_ROLES
OFFICE = ("township_admin",)
NOTE_MAX = 1000
# A refused call-back's message, carried across the redirect to sit beside its field.
NOTE_PROBLEM = "ratings_note_problem"
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _month_from_request() -> tuple[str, str | None]:
    raw = (request.args.get("month") or "").strip()
    if not raw:
        return rating_board.current_month(), None
    if MONTH.fullmatch(raw) and 2000 <= int(raw[:4]) <= 2099:
        return raw, None
    return rating_board.current_month(), "月份应为 年-月，例如 2026-11；已显示本月。"


def _charts(overview: rating_board.MonthOverview) -> dict:
    label = svg_charts.month_label(overview.month)

    def bars(chart_id, title, rows):
        return svg_charts.share_bars(
            chart_id, title, [(r.label, r.satisfied, r.total) for r in rows],
            part_word="满意", rest_word="不满意", unit="条",
            fewest_for_share=rating_board.FEWEST_FOR_SHARE)

    return {"services": bars("chart-rating-services", f"{label}各项服务满意情况",
                             overview.by_service),
            "villages": bars("chart-rating-villages", f"{label}各村（社区）满意情况",
                             overview.by_village)}


@bp.get("")
@console_required(*VIEWERS)
def page():
    month, month_error = _month_from_request()
    overview = rating_board.month_overview(g.staff, month)
    board = rating_board.callback_board(g.staff) if g.staff.role in OFFICE else None
    return render_template(
        "console/ratings/page.html", overview=overview, charts=_charts(overview),
        month=month, month_error=month_error, board=board,
        month_label=svg_charts.month_label, scores=sorted(SCORE_LABELS.items(), reverse=True),
        previous_month=rating_board.neighbour_month(month, -1),
        next_month=rating_board.neighbour_month(month, 1),
        this_month=rating_board.current_month(),
        fewest_for_share=rating_board.FEWEST_FOR_SHARE,
        note_problem=session.pop(NOTE_PROBLEM, None) if board is not None else None,
        note_max=NOTE_MAX)


@bp.post("/<int:rating_id>/callback")
@console_required(*OFFICE)
def record_callback(rating_id: int):
    # Someone else's township, or a rating about her own work: not hers, and not confirmed.
    if ratings.callback_rating(g.staff, rating_id) is None:
        abort(404)
    back = url_for(".page") + f"#callback-{rating_id}"
    note = request.form.get("note") or ""
    try:
        if len(note) > NOTE_MAX:
            raise ValidationFailed("rating.callback_note_too_long",
                                   f"回访情况请不要超过{NOTE_MAX}字。")
        ratings.record_callback(g.staff, rating_id, note)
    except ValidationFailed as refused:
        rollback()
        session[NOTE_PROBLEM] = {"id": rating_id, "message": refused.message}
        flash_error(f"回访记录没有保存：{refused.message}")
        return redirect(back, 303)
    except Conflict:
        rollback()
        flash_info("这条评价已经回访处理过了，本次没有重复记录，也没有再次通知居民。")
        return redirect(url_for(".page") + "#callbacks", 303)
    flash_success("已记录回访情况，并已通知居民处理结果。")
    return redirect(url_for(".page") + "#callbacks", 303)
