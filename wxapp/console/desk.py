"""The registration desk: the queue, the case page and its decisions, for the township office,
reviewers and village workers.

Pages only translate the browser's forms into calls of the registration services (the same
ones the staff API calls), so scope, audit, deadlines and notices are theirs. Every decision
is a POST that answers with a redirect back to the case and a message; a refused decision
rolls back whatever the request had written before the redirect (a redirect is not an error
status, so the request boundary would otherwise commit it). Sending the same decision twice
(a double click, the back button) changes nothing the second time and says so."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, g, redirect, render_template, request, url_for
from markupsafe import Markup

from wxapp.china_time import to_china
from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_error, flash_info, flash_success
from wxapp.errors import Conflict, DomainError
from wxapp.models.registrations import STATUS_LABELS
from wxapp.services import notice_deliveries
from wxapp.services.registration import certificates, desk_case, documents, review
from wxapp.services.registration import desk_queue as queue_service
from wxapp.services.registration.applications import township_of
from wxapp.services.registration.rules import DOCUMENT_LABELS
from wxapp.services.resident_notices import deliveries_about
from wxapp.transactions import rollback
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import download, file_response

bp = Blueprint("console_desk", __name__, url_prefix="/console/registrations")

READERS = (*review.REVIEWERS, "village_worker")
DECIDERS = review.REVIEWERS
FILERS = ("village_worker", *review.REVIEWERS)
MAX_ID = 2_147_483_647


# -- the queue -----------------------------------------------------------------------------
def _int_arg(name: str, problems: list[str], label: str, low: int = 1, high: int = MAX_ID):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    problems.append(f"“{label}”的值不正确，已忽略。")
    return None


def _date_arg(name: str, problems: list[str], label: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(f"“{label}”应为 年-月-日，例如 2026-03-01，已忽略。")
        return None


def _yes_no_arg(name: str) -> bool | None:
    return {"yes": True, "no": False}.get(request.args.get(name, ""))


def _default_view() -> str:
    return {"reviewer": "due", "village_worker": "open"}.get(g.staff.role, "all")


def _filters_from_request() -> tuple[queue_service.QueueFilters, list[str]]:
    problems: list[str] = []
    view = request.args.get("view") or _default_view()
    if view not in queue_service.VIEWS:
        problems.append("没有这个视图，已显示全部申请。")
        view = "all"
    status = request.args.get("status") or None
    if status is not None and status not in queue_service.STATUS_CHOICES:
        problems.append("“状态”的值不正确，已忽略。")
        status = None
    filters = queue_service.QueueFilters(
        view=view, status=status,
        village_id=_int_arg("village", problems, "村/社区"),
        child_order=_int_arg("child_order", problems, "孩次", 1, 3),
        conflict=_yes_no_arg("conflict"), overdue=_yes_no_arg("overdue"),
        submitted_from=_date_arg("from", problems, "提交日期从"),
        submitted_to=_date_arg("to", problems, "提交日期到"),
        search=(request.args.get("q") or "")[:64],
        page=_int_arg("page", problems, "页码", 1, 100_000) or 1)
    return filters, problems


def _query_args(filters: queue_service.QueueFilters, **changes) -> dict:
    """The filters as query arguments (for paging links and the views' tabs)."""
    args = {"view": filters.view, "status": filters.status, "village": filters.village_id,
            "child_order": filters.child_order,
            "conflict": {True: "yes", False: "no"}.get(filters.conflict),
            "overdue": {True: "yes", False: "no"}.get(filters.overdue),
            "from": filters.submitted_from.isoformat() if filters.submitted_from else None,
            "to": filters.submitted_to.isoformat() if filters.submitted_to else None,
            "q": filters.search or None, "page": filters.page if filters.page > 1 else None}
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, "")}


@bp.get("")
@console_required(*READERS)
def queue():
    filters, problems = _filters_from_request()
    page = queue_service.desk_queue(g.staff, filters)
    context = {
        "page": page, "filters": page.filters, "problems": problems,
        "counts": queue_service.counts_by_view(g.staff),
        "villages": queue_service.village_names(g.staff),
        "views": queue_service.VIEW_LABELS,
        "statuses": [(s, STATUS_LABELS[s]) for s in queue_service.STATUS_CHOICES],
        "child_orders": queue_service.CHILD_ORDER_CHOICES,
        "conflict_short": desk_case.CONFLICT_SHORT,
        "search_kinds": queue_service.SEARCH_KINDS,
        "can_decide": g.staff.role in DECIDERS, "can_file": g.staff.role in FILERS,
        "query_args": lambda **changes: _query_args(page.filters, **changes),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "desk-results":
        return render_template("console/desk/_results.html", **context)
    return render_template("console/desk/queue.html", **context)


@bp.post("/batch-approve")
@console_required(*DECIDERS)
def batch_approve():
    chosen = []
    for raw in request.form.getlist("ids")[:desk_case.MAX_BATCH + 1]:
        if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
            chosen.append(int(raw))
    back = request.form.get("back") or ""
    target = back if back.startswith("/console/registrations") else url_for(".queue")
    try:
        outcome = desk_case.batch_approve(g.staff, chosen)
    except DomainError as err:
        rollback()
        flash_error(err.message)
        return redirect(target)
    if outcome.approved:
        flash_success(f"已批量准予登记 {len(outcome.approved)} 件："
                      + "、".join(r.application_no for r in outcome.approved) + "。")
    for _id, number, reason in outcome.skipped:
        flash_error(f"{number or '所选申请'}未办理：{reason}。")
    return redirect(target)


# -- the case ------------------------------------------------------------------------------
def _case_context(reg) -> dict:
    docs = documents.documents_of(reg.id)
    return {
        "reg": reg, "status_label": STATUS_LABELS.get(reg.status, reg.status),
        "village": queue_service.village_names(g.staff).get(reg.village_id, ""),
        "mother": desk_case.parent_lines(reg, "mother"),
        "father": desk_case.parent_lines(reg, "father"),
        "children": desk_case.children_lines(reg),
        "pregnancy_label": desk_case.PREGNANCY_LABELS.get(reg.pregnancy_status, ""),
        "filer_label": desk_case.FILER_LABELS.get(reg.filer_role, ""),
        "conflicts": desk_case.conflicts_explained(reg),
        "history": desk_case.history(reg),
        "documents": [(d, DOCUMENT_LABELS.get(d.kind, "其他材料")) for d in docs],
        "promised": desk_case.promised_labels(reg),
        "return_choices": desk_case.RETURN_CHOICES,
        "return_labels": {k: v[0] for k, v in desk_case.RETURN_CHOICES.items()},
        "correction_changes": desk_case.correction_changes(reg),
        "due_state": queue_service.due_state(reg),
        "can_decide": g.staff.role in DECIDERS,
        "registered": reg.status in review.REGISTERED and bool(reg.certificate_code),
        # The audited reveal of a full ID number or phone (console-people's page), once there.
        "reveal_ready": "console_pii.reveal" in current_app.view_functions,
        "notices": notice_deliveries.described(deliveries_about(f"registration:{reg.id}")),
    }


@bp.get("/<int:registration_id>")
@console_required(*READERS)
def case(registration_id):
    reg = review.get_for_staff(g.staff, registration_id)
    return render_template("console/desk/case.html", **_case_context(reg))


@bp.get("/<int:registration_id>/documents/<int:document_id>")
@console_required(*READERS)
def document(registration_id, document_id):
    found = review.document_for_staff(g.staff, registration_id, document_id)
    return file_response(found, documents.read_content(found))


def _back_to_case(registration_id: int, anchor: str = ""):
    return redirect(url_for(".case", registration_id=registration_id) + anchor)


# What each decision leaves the case as, and what to say when it already is (sent twice).
ALREADY = {
    "approve": (review.REGISTERED, "这份申请已经准予登记，本次没有重复办理。"),
    "return": (("returned",), "这份申请已经退回，本次没有重复退回，也没有再次通知申请人。"),
    "reject": (("rejected",), "这份申请已经作出不予登记的决定，本次没有重复办理。"),
    "correction": (("approved",), "这份更正申请已经审核过，本次没有重复办理。"),
}


def _decide(registration_id: int, action: str, decide, done: str, anchor: str = ""):
    try:
        decide()
    except Conflict as err:
        rollback()
        if err.code == "registration.illegal_transition":
            reg = review.get_for_staff(g.staff, registration_id)
            statuses, message = ALREADY[action]
            if reg.status in statuses:
                flash_info(message)
                return _back_to_case(registration_id)
        flash_error(err.message)
        return _back_to_case(registration_id, anchor)
    except DomainError as err:
        rollback()
        if err.status == 404:
            abort(404)
        flash_error(err.message)
        return _back_to_case(registration_id, anchor)
    flash_success(done)
    return _back_to_case(registration_id)


@bp.post("/<int:registration_id>/approve")
@console_required(*DECIDERS)
def approve(registration_id):
    return _decide(registration_id, "approve",
                   lambda: review.approve(g.staff, registration_id),
                   "已准予登记，已通知申请人。")


@bp.post("/<int:registration_id>/return")
@console_required(*DECIDERS)
def return_for_changes(registration_id):
    ticked = request.form.getlist("items")[:len(desk_case.RETURN_CHOICES) + 1]
    notes = {key: request.form.get(f"note-{key}", "") for key in desk_case.RETURN_CHOICES}

    def decide():
        items = desk_case.return_items(ticked, notes, request.form.get("other", ""))
        review.return_for_changes(g.staff, registration_id, items)
        return items

    return _decide(registration_id, "return", decide,
                   "已退回，需要补正的内容已一次性通知申请人。", "#return")


@bp.post("/<int:registration_id>/reject")
@console_required(*DECIDERS)
def reject(registration_id):
    reason = (request.form.get("reason") or "")[:500]
    return _decide(registration_id, "reject",
                   lambda: review.reject(g.staff, registration_id, reason),
                   "已作出不予登记的决定，已通知申请人。", "#reject")


@bp.post("/<int:registration_id>/correction")
@console_required(*DECIDERS)
def correction(registration_id):
    choice = request.form.get("decision")
    if choice not in ("accept", "refuse"):
        flash_error("请选择同意更正或不同意更正。")
        return _back_to_case(registration_id, "#correction")
    note = (request.form.get("note") or "").strip()[:500] or None
    return _decide(registration_id, "correction",
                   lambda: review.decide_correction(g.staff, registration_id,
                                                    choice == "accept", note),
                   "更正已同意，登记凭证已更新。" if choice == "accept" else "已不同意更正。",
                   "#correction")


# -- the certificate -----------------------------------------------------------------------
@bp.get("/<int:registration_id>/certificate")
@console_required(*READERS)
def certificate(registration_id):
    reg = desk_case.certificate_for_staff(g.staff, registration_id)
    lines = certificates.certificate_lines(reg, township_of(reg).name)
    return render_template("console/desk/certificate.html", reg=reg, lines=lines,
                           qr=Markup(certificates.verification_qr_svg(reg.certificate_code)),
                           verify_url=certificates.verification_url(reg.certificate_code))


@bp.get("/<int:registration_id>/certificate.pdf")
@console_required(*READERS)
def certificate_pdf(registration_id):
    reg = desk_case.certificate_for_staff(g.staff, registration_id)
    pdf = certificates.certificate_pdf(reg, township_of(reg).name)
    response = download(pdf, "application/pdf", f"certificate-{reg.registration_number}.pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="certificate-{reg.registration_number}.pdf"')
    return response


@bp.app_template_filter("desk_moment")
def desk_moment(moment) -> str:
    """A stored moment as people in China read it."""
    if moment is None:
        return ""
    return to_china(moment).strftime("%Y-%m-%d %H:%M")
