"""The ledger's forms: 入库 (receipt into the township store, the office only), 领入 (issue
from the store to a point), 调拨 (transfer), 报损 (loss) and 盘点 (stock take).

Batch numbers are typed or scanned: a USB scanner types the number and presses Enter, which
``supplies.js`` turns into "next field" (without the script Enter sends the form, and the
missing fields are asked for). Input is checked here for shape (numbers, dates) and by the
ledger for meaning; either way problems come back in Chinese next to their fields, with
what was typed kept and nothing written. Each form is carried out once (``form_once``)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import abort, g, redirect, render_template, request, url_for

from wxapp.console.access import console_required
from wxapp.console.desk_forms import flash_success
from wxapp.console.form_once import FIELD as TOKEN_FIELD
from wxapp.console.form_once import form_token_for, once_per_form
from wxapp.console.supplies import bp
from wxapp.errors import DomainError
from wxapp.models import SupplyItem
from wxapp.services.supplies import ledger
from wxapp.services.supplies import point_overview as overview
from wxapp.services.supplies.staff_queries import points_for
from wxapp.transactions import rollback

KEEPERS = ledger.LEDGER_STAFF
RECEIVERS = ("township_admin",)
MOST = 1_000_000
TEXT_MAX = 200
BATCH_MAX = 32


@dataclass(frozen=True)
class StockForm:
    name: str
    title: str
    fields: tuple[str, ...]
    button: str
    intro: str


FORMS = {
    "receipt": StockForm("receipt", "药具入库", ("batch_no", "item_id", "expires_on", "quantity"),
                         "登记入库", "县里配发的药具到达镇药具库房时登记。"),
    "issue": StockForm("issue", "领入（从镇库房补货）", ("point_id", "item_id", "quantity"),
                       "登记领入", "药具从镇药具库房发到发放点，按近效期先出自动选择批号。"),
    "transfer": StockForm("transfer", "调拨", ("from_point_id", "to_point_id", "item_id",
                                              "quantity"),
                          "登记调拨", "药具从一个发放点调到另一个发放点，按近效期先出选择批号。"),
    "loss": StockForm("loss", "报损", ("point_id", "batch_no", "item_id", "quantity", "reason"),
                      "登记报损", "破损、过期或丢失的药具按批号报损，需写明原因。"),
    "stock_take": StockForm("stock_take", "盘点", ("point_id", "batch_no", "item_id", "counted",
                                                  "reason"),
                            "登记盘点结果", "按批号填写实际清点的数量，账面数量将调整为清点数量。"),
}
LABELS = {"point_id": "发放点", "from_point_id": "调出发放点", "to_point_id": "调入发放点",
          "item_id": "药具", "batch_no": "批号", "expires_on": "有效期至",
          "quantity": "数量", "counted": "实际清点数量", "reason": "原因"}
# Which field a refusal of the ledger is about (the first of these the form has).
FIELD_OF_ERROR = {"supplies.insufficient_stock": ("quantity", "counted"),
                  "supplies.bad_quantity": ("quantity", "counted"),
                  "supplies.batch_expiry_mismatch": ("expires_on",),
                  "supplies.same_point": ("to_point_id",),
                  "supplies.reason_required": ("reason",),
                  "supplies.batch_not_found": ("batch_no",),
                  "supplies.item_not_found": ("item_id",)}


# -- reading what was typed ----------------------------------------------------------------
def _typed(form: StockForm) -> dict:
    # NFKC: digits typed with a Chinese input method arrive full-width (１２).
    return {name: unicodedata.normalize("NFKC", request.form.get(name) or "").strip()[:TEXT_MAX]
            for name in form.fields}


def _whole(raw: str, label: str, problems: dict, name: str, *, least: int) -> int | None:
    if not raw:
        problems[name] = f"请填写{label}。"
    elif not (raw.isascii() and raw.isdigit()):
        problems[name] = f"{label}必须是整数，例如 20。"
    elif int(raw) < least:
        problems[name] = f"{label}必须大于0。" if least else f"{label}不能为负数。"
    elif int(raw) > MOST:
        problems[name] = f"{label}不能超过 {MOST}。"
    else:
        return int(raw)
    return None


def _choice(raw: str, choices: dict, name: str, problems: dict, *, scoped: bool = False):
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if number in choices:
        return choices[number]
    if scoped and number is not None:
        # Someone else's point (a form altered by hand): as anywhere else, not found.
        abort(404)
    problems[name] = f"请选择{LABELS[name]}。"
    return None


def _checked(form: StockForm, typed: dict) -> tuple[dict, dict]:
    """The typed fields as values, and the problems with them."""
    problems: dict[str, str] = {}
    values: dict = {}
    points = {p.id: p for p in points_for(g.staff) if p.active}
    items = {i.id: i for i in overview.active_items()}
    for name in form.fields:
        raw = typed[name]
        if name.endswith("point_id"):
            values[name] = _choice(raw, points, name, problems, scoped=True)
        elif name == "item_id":
            values[name] = _choice(raw, items, name, problems)
        elif name == "quantity":
            values[name] = _whole(raw, "数量", problems, name, least=1)
        elif name == "counted":
            values[name] = _whole(raw, "实际清点数量", problems, name, least=0)
        elif name == "batch_no":
            if not raw:
                problems[name] = "请填写或扫描批号。"
            elif len(raw) > BATCH_MAX:
                problems[name] = f"批号不能超过 {BATCH_MAX} 个字符。"
            values[name] = raw.upper()
        elif name == "expires_on":
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                problems[name] = "请填写有效期，格式如 2028-06-30。"
        elif name == "reason":
            if not raw:
                problems[name] = "请填写原因。"
            values[name] = raw
    if "point_id" in form.fields and form.name == "issue" and values.get("point_id") \
            and values["point_id"].kind == "store":
        problems["point_id"] = "请选择要补货的发放点（不能是库房本身）。"
    return values, problems


# -- pages ---------------------------------------------------------------------------------
def _render(form: StockForm, typed: dict, problems: dict | None = None,
            message: str | None = None, status: int = 200):
    points = [p for p in points_for(g.staff) if p.active]
    if form.name == "issue":
        points = [p for p in points if p.kind != "store"]
    return render_template(
        "console/supplies/stock_form.html", form=form, typed=typed, problems=problems or {},
        message=message, labels=LABELS, points=points, items=overview.active_items(),
        form_token=form_token_for(request.form.get(TOKEN_FIELD)),
        store=_store_name()), status


def _store_name() -> str:
    try:
        return ledger.township_store(g.staff).name
    except DomainError:
        return "镇药具库房"


def _prefilled(form: StockForm) -> dict:
    """Links from a point's page name the point, item and batch a form is about."""
    typed = {name: "" for name in form.fields}
    for name, arg in (("point_id", "point"), ("from_point_id", "point"), ("item_id", "item"),
                      ("batch_no", "batch")):
        if name in typed:
            typed[name] = (request.args.get(arg) or "")[:BATCH_MAX]
    if g.staff.role == "village_worker":
        own = overview.stock_points(g.staff)
        if len(own) == 1 and not typed.get("point_id") and "point_id" in typed:
            typed["point_id"] = str(own[0].id)
    return typed


def _refused(form: StockForm, typed: dict, err: DomainError):
    rollback()
    if err.status == 404 and err.code == "supplies.point_not_found":
        abort(404)
    field = next((f for f in FIELD_OF_ERROR.get(err.code, ()) if f in form.fields), None)
    if field is not None:
        return _render(form, typed, {field: err.message}, err.message, 422)
    return _render(form, typed, {}, err.message, err.status if err.status >= 400 else 422)


def _carry_out(form: StockForm, act):
    typed = _typed(form)
    values, problems = _checked(form, typed)
    if problems:
        return _render(form, typed, problems, "请按提示修改后重新提交。", 422)
    try:
        done, point_id = act(values)
    except DomainError as err:
        return _refused(form, typed, err)
    flash_success(done)
    return redirect(url_for(".point", point_id=point_id), 303)


def _amount(item: SupplyItem, quantity: int) -> str:
    return f"{item.name} {quantity}{item.unit}"


@bp.get("/receipt")
@console_required(*RECEIVERS)
def receipt_form():
    return _render(FORMS["receipt"], _prefilled(FORMS["receipt"]))


@bp.post("/receipt")
@console_required(*RECEIVERS)
@once_per_form
def receipt():
    def act(v):
        batch = ledger.receive(g.staff, v["item_id"].id, v["batch_no"], v["expires_on"],
                               v["quantity"])
        return (f"已入库：{_amount(v['item_id'], v['quantity'])}，批号 {batch.batch_no}，"
                f"有效期至 {batch.expires_on.isoformat()}。", ledger.township_store(g.staff).id)
    return _carry_out(FORMS["receipt"], act)


@bp.get("/issue")
@console_required(*KEEPERS)
def issue_form():
    return _render(FORMS["issue"], _prefilled(FORMS["issue"]))


@bp.post("/issue")
@console_required(*KEEPERS)
@once_per_form
def issue():
    def act(v):
        ledger.issue(g.staff, v["point_id"].id, v["item_id"].id, v["quantity"])
        return (f"已领入{v['point_id'].name}：{_amount(v['item_id'], v['quantity'])}。",
                v["point_id"].id)
    return _carry_out(FORMS["issue"], act)


@bp.get("/transfer")
@console_required(*KEEPERS)
def transfer_form():
    return _render(FORMS["transfer"], _prefilled(FORMS["transfer"]))


@bp.post("/transfer")
@console_required(*KEEPERS)
@once_per_form
def transfer():
    def act(v):
        ledger.transfer(g.staff, v["from_point_id"].id, v["to_point_id"].id, v["item_id"].id,
                        v["quantity"])
        return (f"已从{v['from_point_id'].name}调拨到{v['to_point_id'].name}："
                f"{_amount(v['item_id'], v['quantity'])}。", v["from_point_id"].id)
    return _carry_out(FORMS["transfer"], act)


@bp.get("/loss")
@console_required(*KEEPERS)
def loss_form():
    return _render(FORMS["loss"], _prefilled(FORMS["loss"]))


@bp.post("/loss")
@console_required(*KEEPERS)
@once_per_form
def loss():
    def act(v):
        batch = overview.batch_by_number(v["item_id"].id, v["batch_no"])
        ledger.record_loss(g.staff, v["point_id"].id, batch.id, v["quantity"], v["reason"])
        return (f"已报损：{_amount(v['item_id'], v['quantity'])}，批号 {batch.batch_no}。",
                v["point_id"].id)
    return _carry_out(FORMS["loss"], act)


@bp.get("/stock-take")
@console_required(*KEEPERS)
def stock_take_form():
    return _render(FORMS["stock_take"], _prefilled(FORMS["stock_take"]))


@bp.post("/stock-take")
@console_required(*KEEPERS)
@once_per_form
def stock_take():
    def act(v):
        batch = overview.batch_by_number(v["item_id"].id, v["batch_no"])
        difference = ledger.adjust_to_count(g.staff, v["point_id"].id, batch.id, v["counted"],
                                            v["reason"])
        item = v["item_id"]
        change = ("账实相符，无需调整" if difference == 0 else
                  f"账面{'增加' if difference > 0 else '减少'} {abs(difference)}{item.unit}")
        return (f"已登记盘点：{item.name} 批号 {batch.batch_no} 实有 {v['counted']}{item.unit}，"
                f"{change}。", v["point_id"].id)
    return _carry_out(FORMS["stock_take"], act)
