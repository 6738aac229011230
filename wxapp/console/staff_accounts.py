"""Staff accounts, for the township office: list, add, change role and place, disable and
enable, reset the password and the two-step sign-in.

Every rule (who may be placed where, password strength, not demoting or disabling oneself)
and every audit row is the service's (``services.accounts.staff_accounts``), shared with the
staff API; this module turns forms into its calls and its errors into messages beside the
fields. A new password is shown once, on the answer to the POST that made it, never stored
in the session or a URL, and never cached (``no-store``). A form sent twice (a double click,
a reload) does what the service does with a repeated request: the second "add" finds the
username taken and adds nothing."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from wxapp.china_time import to_china
from wxapp.console.access import console_required
from wxapp.console.navigation import ROLE_LABELS
from wxapp.errors import Conflict, ValidationFailed
from wxapp.models import STAFF_ROLES
from wxapp.services.accounts import staff_accounts, two_step
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_staff", __name__, url_prefix="/console/staff")
ADMIN = "township_admin"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FIELD_MAX = 256
# Which field a refusal without one belongs beside.
CONFLICT_FIELDS = {"staff.username_taken": "username", "staff.cannot_change_own_role": "role"}


class FormProblem(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


def _text(name: str) -> str:
    return request.form.get(name, "")[:FIELD_MAX]


def _errors_of(error: ValidationFailed | Conflict) -> dict[str, str]:
    if error.details:
        return {k: str(v) for k, v in error.details.items()}
    return {CONFLICT_FIELDS.get(error.code, "form"): error.message}


def _placement_from_form() -> dict:
    """Role, village and clinics as the service takes them. A form without JS shows the
    village and clinic choices to every role: only the chosen role's own choice is sent on,
    so picking a village and then "审核员" is not an error."""
    role = _text("role")
    if role not in STAFF_ROLES:
        raise FormProblem({"role": "请从给定的角色中选择。"})
    village_id = None
    if role == "village_worker":
        raw = _text("village_id")
        if raw:
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
                raise FormProblem({"village_id": "请选择本镇的村（社区）。"})
            village_id = int(raw)
    clinic_ids = []
    if role == "clinic":
        for raw in request.form.getlist("clinic_ids")[:50]:
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
                raise FormProblem({"clinic_ids": "请选择本镇的医院。"})
            clinic_ids.append(int(raw))
    return {"role": role, "village_id": village_id, "clinic_ids": clinic_ids}


def two_step_state(account) -> str:
    if two_step.is_enrolled(account):
        return "已设置" + (f"（{when(account.totp_enrolled_at)}）" if account.totp_enrolled_at
                          else "")
    if two_step.required_for(account):
        return "尚未设置（下次登录时设置）"
    return "该角色不需要"


def when(moment) -> str:
    return to_china(moment).strftime("%Y-%m-%d %H:%M") if moment else "从未登录"


def _form_page(template: str, status: int = 200, **context):
    villages, clinics = staff_accounts.placement_choices(g.staff)
    body = render_template(template, villages=villages, clinics=clinics, roles=ROLE_LABELS,
                           when=when, **context)
    return body, status, NO_STORE


# -- list --------------------------------------------------------------------------------------
@bp.get("")
@console_required(ADMIN)
def staff_list():
    role = request.args.get("role") or None
    if role not in (None, *STAFF_ROLES):
        role = None
    active = {"yes": True, "no": False}.get(request.args.get("active", ""))
    accounts = staff_accounts.list_accounts(g.staff, role, active)
    villages, _clinics = staff_accounts.placement_choices(g.staff)
    return render_template("console/staff_list.html", accounts=accounts, roles=ROLE_LABELS,
                           when=when,
                           villages={v.id: v.name for v in villages}, role=role,
                           active=request.args.get("active", ""))


# -- add ---------------------------------------------------------------------------------------
@bp.get("/new")
@console_required(ADMIN)
def new_account():
    return _form_page("console/staff_new.html", errors={}, values={})


@bp.post("/new")
@console_required(ADMIN)
def create_account():
    values = {"username": _text("username").strip(), "display_name": _text("display_name"),
              "role": _text("role"), "village_id": _text("village_id"),
              "clinic_ids": request.form.getlist("clinic_ids")}
    password = _text("password")
    try:
        placement = _placement_from_form()
        account, generated = staff_accounts.create_account(
            g.staff, username=values["username"], display_name=values["display_name"],
            password=password or None, **placement)
    except FormProblem as problem:
        return _form_page("console/staff_new.html", 422, errors=problem.errors, values=values)
    except (ValidationFailed, Conflict) as refused:
        return _form_page("console/staff_new.html", refused.status, errors=_errors_of(refused),
                          values=values)
    return render_template("console/staff_password.html", account=account,
                           generated=generated, created=True), 201, NO_STORE


# -- one account -------------------------------------------------------------------------------
def _account_page(account, status=200, errors=None, values=None):
    return _form_page("console/staff_account.html", status, account=account,
                      errors=errors or {}, values=values or {},
                      two_step=two_step_state(account))


@bp.get("/<int:staff_id>")
@console_required(ADMIN)
def account_page(staff_id: int):
    return _account_page(staff_accounts.account_for_admin(g.staff, staff_id))


@bp.post("/<int:staff_id>")
@console_required(ADMIN)
def change_account(staff_id: int):
    account = staff_accounts.account_for_admin(g.staff, staff_id)
    values = {"display_name": _text("display_name"), "role": _text("role"),
              "village_id": _text("village_id"), "clinic_ids": request.form.getlist("clinic_ids")}
    try:
        changes = {"display_name": values["display_name"], **_placement_from_form()}
        staff_accounts.change_account(g.staff, staff_id, changes)
    except FormProblem as problem:
        return _account_page(account, 422, problem.errors, values)
    except (ValidationFailed, Conflict) as refused:
        return _account_page(account, refused.status, _errors_of(refused), values)
    flash("已保存修改。", "success")
    return redirect(url_for("console_staff.account_page", staff_id=staff_id), 303)


def _set_active(staff_id: int, active: bool):
    try:
        account = staff_accounts.set_active(g.staff, staff_id, active)
    except Conflict as refused:
        flash(refused.message, "error")
    else:
        flash(f"已{'启用' if active else '停用'}账号 {account.username}。"
              + ("" if active else "该账号的所有登录已失效。"), "success")
    return redirect(url_for("console_staff.account_page", staff_id=staff_id), 303)


@bp.post("/<int:staff_id>/disable")
@console_required(ADMIN)
def disable(staff_id: int):
    return _set_active(staff_id, False)


@bp.post("/<int:staff_id>/enable")
@console_required(ADMIN)
def enable(staff_id: int):
    return _set_active(staff_id, True)


@bp.post("/<int:staff_id>/password")
@console_required(ADMIN)
def reset_password(staff_id: int):
    password = _text("password")
    try:
        account, generated = staff_accounts.reset_password(g.staff, staff_id, password or None)
    except ValidationFailed as refused:
        account = staff_accounts.account_for_admin(g.staff, staff_id)
        return _account_page(account, refused.status, _errors_of(refused))
    return render_template("console/staff_password.html", account=account,
                           generated=generated, created=False), 200, NO_STORE


@bp.post("/<int:staff_id>/two-step")
@console_required(ADMIN)
def reset_two_step(staff_id: int):
    """A lost or replaced phone: the account enrols again at its next sign-in."""
    account = two_step.reset_two_step(g.staff, staff_id)
    flash(f"已重置 {account.username} 的两步验证，该账号原有的所有登录已失效；"
          "下次登录时需要重新扫码设置。", "success")
    return redirect(url_for("console_staff.account_page", staff_id=staff_id), 303)
