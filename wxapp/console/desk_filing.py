"""代办: a village worker (or the office) files a birth registration for a family who cannot
use the mini-program, having seen the originals and the signed consent form.

The form posts to the same service as the staff API's ``POST /api/v1/staff/registrations``
(applications.file_on_behalf), so every rule and every Chinese message is the one residents
see; problems come back next to their fields with everything typed kept. A second submission
of the same form (a double click, the back button) meets the one-open-registration-per-
pregnancy index and is answered with the case the first one made, not a second case."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_info, flash_success
from wxapp.errors import Conflict, DomainError, ValidationFailed
from wxapp.services.registration import applications, review
from wxapp.services.registration import desk_queue as queue_service
from wxapp.services.registration.desk_case import RELATION_LABELS
from wxapp.services.registration.rules import MARITAL_STATUSES
from wxapp.transactions import rollback
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_desk_filing", __name__, url_prefix="/console/registrations")

FILERS = ("village_worker", *review.REVIEWERS)
CHILD_ROWS = 3
FIELD_MAX = 64
PARENT_FIELDS = ("name", "id_number", "phone", "hukou_region", "marital_status")


def _text(name: str) -> str:
    return (request.form.get(name) or "").strip()[:FIELD_MAX]


def _typed() -> dict:
    """What was typed, field by field, to show again after a problem."""
    names = ["filer_role", "marriage_date", "pregnancy_status", "expected_or_birth_date",
             "village_id", "consent_confirmed"]
    names += [f"{role}_{key}" for role in ("mother", "father") for key in PARENT_FIELDS]
    names += [f"child-{n}-{key}" for n in range(1, CHILD_ROWS + 1)
              for key in ("birth_date", "relation", "alive", "adopted")]
    return {name: _text(name) for name in names}


def _form_data(typed: dict) -> dict:
    """The typed fields in the shape of the registration form (schemas.registration)."""
    children = []
    for n in range(1, CHILD_ROWS + 1):
        birth, relation = typed[f"child-{n}-birth_date"], typed[f"child-{n}-relation"]
        if birth or relation:
            children.append({"birth_date": birth or None, "relation": relation or None,
                             "alive": typed[f"child-{n}-alive"] != "no",
                             "adopted": typed[f"child-{n}-adopted"] == "yes"})
    village = typed["village_id"]
    data = {"filer_role": typed["filer_role"] or None,
            "marriage_date": typed["marriage_date"] or None,
            "pregnancy_status": typed["pregnancy_status"] or None,
            "expected_or_birth_date": typed["expected_or_birth_date"] or None,
            "existing_children": children,
            "village_id": int(village) if village.isascii() and village.isdigit()
            and len(village) < 10 else None,
            "documents": [], "promised_documents": []}
    for role in ("mother", "father"):
        data[role] = {key: typed[f"{role}_{key}"] or None for key in PARENT_FIELDS}
    return data


def _render(typed: dict, problems: dict | None = None, message: str | None = None,
            status: int = 200):
    villages = queue_service.village_names(g.staff)
    return render_template("console/desk/filing.html", typed=typed, problems=problems or {},
                           message=message, villages=villages,
                           marital_statuses=MARITAL_STATUSES, relations=RELATION_LABELS,
                           child_rows=range(1, CHILD_ROWS + 1)), status


@bp.get("/new")
@console_required(*FILERS)
def new_filing():
    typed = {"filer_role": "mother", "pregnancy_status": "pregnant"}
    if g.staff.role == "village_worker":
        typed["village_id"] = str(g.staff.village_id)
    return _render(typed)


@bp.post("/new")
@console_required(*FILERS)
def file_filing():
    typed = _typed()
    try:
        reg = applications.file_on_behalf(g.staff, _form_data(typed),
                                          typed["consent_confirmed"] == "yes")
    except ValidationFailed as err:
        return _render(typed, err.details, err.message, 422)
    except Conflict as err:
        rollback()
        if err.code == "registration.duplicate":
            existing = queue_service.open_case_of_mother(g.staff, typed["mother_id_number"])
            if existing is not None:
                if existing.filed_by_staff_id == g.staff.id:
                    flash_info(f"这份代办申请已经提交过（申请编号 {existing.application_no}），"
                               "本次没有重复提交。")
                else:
                    flash_info(err.message + "已为您打开已有的那份申请。")
                return redirect(url_for("console_desk.case", registration_id=existing.id))
        return _render(typed, {}, err.message, err.status)
    except DomainError as err:
        return _render(typed, {}, err.message, err.status)
    flash_success(f"代办申请已提交，申请编号 {reg.application_no}。")
    return redirect(url_for("console_desk.case", registration_id=reg.id))
