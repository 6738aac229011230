"""居民求助: messages residents left for a person (转人工, 请村里代办), for the township office,
reviewers and a village's worker (hers only), answered from the console.

The answer goes back through ``handovers.answer`` (the staff API's), which tells the resident
by the first channel that reaches her after the commit; the message page then says which one
did, from the delivery records, and asks again every few seconds while the job has not run.
A second answer (a double click, the back button, a colleague at the same moment) changes
nothing and says so."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_info, flash_success
from wxapp.errors import DomainError
from wxapp.services import notice_deliveries
from wxapp.services.chat import handovers, inbox_view
from wxapp.transactions import rollback
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_inbox", __name__, url_prefix="/console/inbox")
READERS = ("township_admin", "reviewer", "village_worker")
# How often the message page asks whether the answer has gone out, before it stops asking
# (a stopped queue should not keep a page polling all day).
MAX_DELIVERY_POLLS = 40


@bp.get("")
@console_required(*READERS)
def inbox():
    view = request.args.get("view", "open")
    if view not in inbox_view.VIEWS:
        view = "open"
    return render_template("console/inbox/list.html", view=view, views=inbox_view.VIEWS,
                           cards=inbox_view.inbox(g.staff, view),
                           open_count=inbox_view.open_count(g.staff))


def _message_page(handover_id: int, *, error: str = "", typed: str = "", status: int = 200):
    card = inbox_view.message_card(g.staff, handover_id)
    deliveries = (notice_deliveries.answer_delivery(g.staff, handover_id)
                  if card.status == "answered" else [])
    return render_template("console/inbox/message.html", card=card, deliveries=deliveries,
                           error=error, typed=typed, poll=0,
                           max_polls=MAX_DELIVERY_POLLS), status


@bp.get("/<int:handover_id>")
@console_required(*READERS)
def message(handover_id):
    return _message_page(handover_id)


@bp.post("/<int:handover_id>/answer")
@console_required(*READERS)
def answer(handover_id):
    text = request.form.get("answer", "")
    try:
        handovers.answer(g.staff, handover_id, text)
    except DomainError as err:
        rollback()
        if err.status == 404:
            abort(404)
        if err.code == "handover.already_answered":
            flash_info("这条留言已经回复过了，本次没有重复发送。")
            return redirect(url_for(".message", handover_id=handover_id))
        return _message_page(handover_id, error=err.message, typed=text[:2000], status=422)
    flash_success("回复已发出，下方可以看到居民通过哪种方式收到。")
    return redirect(url_for(".message", handover_id=handover_id) + "#delivery")


@bp.get("/<int:handover_id>/delivery")
@console_required(*READERS)
def delivery(handover_id):
    """The delivery section alone, for the message page's htmx to ask again."""
    raw = request.args.get("poll", "0")
    poll = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0
    deliveries = notice_deliveries.answer_delivery(g.staff, handover_id)
    return render_template("console/inbox/_delivery.html", deliveries=deliveries,
                           handover_id=handover_id, poll=poll,
                           max_polls=MAX_DELIVERY_POLLS)
