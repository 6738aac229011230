"""指导记录: a doctor explained first use of a guided item (pills) to a person, so cabinets
may give it to her. The ID number typed here goes to the service, which keeps only its
blind index; no page shows it again, and the list names the item, the day and who recorded
it, never the person."""
from __future__ import annotations

import unicodedata

from flask import g, redirect, render_template, request, url_for

from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_success
from wxapp.console.form_once import FIELD as TOKEN_FIELD
from wxapp.console.form_once import form_token_for, once_per_form
from wxapp.console.supplies import bp
from wxapp.errors import DomainError
from wxapp.services.supplies import staff_queries as views
from wxapp.transactions import rollback

GUIDES = views.GUIDES


def _render(typed: dict, problems: dict | None = None, status: int = 200):
    return render_template(
        "console/supplies/guidance.html", typed=typed, problems=problems or {},
        items=views.guided_items(), records=views.guidance_records(g.staff),
        form_token=form_token_for(request.form.get(TOKEN_FIELD))), status


@bp.get("/guidance")
@console_required(*GUIDES)
def guidance():
    return _render({"id_number": "", "item_id": ""})


@bp.post("/guidance")
@console_required(*GUIDES)
@once_per_form
def add_guidance():
    typed = {"id_number": unicodedata.normalize("NFKC", request.form.get("id_number") or "")
             .strip().upper()[:24],
             "item_id": (request.form.get("item_id") or "").strip()[:9]}
    items = {str(item.id): item for item in views.guided_items()}
    problems = {}
    if not typed["id_number"]:
        problems["id_number"] = "请填写居民身份证号码。"
    if typed["item_id"] not in items:
        problems["item_id"] = "请选择需要用药指导的药具。"
    if problems:
        return _render(typed, problems, 422)
    try:
        views.record_guidance(g.staff, typed["id_number"], int(typed["item_id"]))
    except DomainError as err:
        rollback()
        field = "item_id" if err.code.startswith("supplies.") else "id_number"
        return _render(typed, {field: err.message}, 422)
    flash_success(f"已登记用药指导：{items[typed['item_id']].name}。居民此后可在自助发放机领取。")
    return redirect(url_for(".guidance"), 303)
