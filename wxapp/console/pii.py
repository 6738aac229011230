"""Showing a full ID or phone number on a console page: one POST per field, audited by the
service (``wxapp.services.personal_data``).

Pages render numbers masked through the ``reveal`` macro (``console/_pii.html``). Its button
posts here: an htmx request gets the number as a fragment in place of the masked text; a
browser without JS gets a small page with the number and a link back."""
from __future__ import annotations

from flask import g, render_template, request

from wxapp.console.access import console_required, safe_next, signed_in_staff
from wxapp.services import personal_data
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_pii", __name__, url_prefix="/console/reveal")
# A number on screen must not outlive the page: not in the browser's cache, not in a proxy's.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@bp.app_template_global("pii_can_reveal")
def pii_can_reveal(record_kind: str) -> bool:
    staff = signed_in_staff()
    return staff is not None and personal_data.can_reveal(staff, record_kind)


@bp.app_template_global("pii_field_label")
def pii_field_label(record_kind: str, field: str) -> str:
    kind = personal_data.RECORD_KINDS.get(record_kind)
    return kind.fields.get(field, "") if kind else ""


def _back_link() -> str:
    """Where the button was: the referring console page, or the console's home."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        referrer = "/" + referrer[len(request.host_url):]
    return safe_next(referrer) or "/console/"


@bp.post("/<record_kind>/<int:record_id>/<field>")
@console_required(*personal_data.REVEAL_ROLES)
def reveal(record_kind: str, record_id: int, field: str):
    shown = personal_data.reveal(g.staff, record_kind, record_id, field)
    if request.headers.get("HX-Request"):
        return render_template("console/_pii_value.html", shown=shown), 200, NO_STORE
    return (render_template("console/pii_revealed.html", shown=shown, back=_back_link()),
            200, NO_STORE)
