"""The audit page: the township office sees who read or changed which record.

Filters arrive as a GET form (a link to a filtered page can be kept and shared); input the
page cannot use is shown beside its field in Chinese, with no rows, rather than ignored."""
from __future__ import annotations

from datetime import date

from flask import g, render_template, request

from wxapp.console.access import console_required
from wxapp.errors import ValidationFailed
from wxapp.services import audit_search
from wxapp.services.personal_data import RECORD_KINDS
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_audit", __name__, url_prefix="/console/audit")
ADMIN = "township_admin"
FIELD_MAX = 64
# Detail keys as the office reads them; anything else is shown by its key.
DETAIL_LABELS = {
    "field": "字段", "count": "条数", "status": "状态", "reason": "原因", "username": "用户名",
    "role": "角色", "village_id": "村（社区）", "clinic_ids": "医院", "password": "密码",
    "display_name": "姓名", "filters": "筛选条件", "page": "页码",
}
FIELD_LABELS = {name: label for kind in RECORD_KINDS.values()
                for name, label in kind.fields.items()}


def _text(name: str) -> str:
    return request.args.get(name, "").strip()


def _filters() -> tuple[audit_search.AuditFilters, int, dict[str, str]]:
    errors: dict[str, str] = {}

    def number(name: str, message: str) -> int | None:
        raw = _text(name)
        if not raw:
            return None
        if raw.isascii() and raw.isdigit() and len(raw) <= 9:
            return int(raw)
        errors[name] = message
        return None

    def day(name: str) -> date | None:
        raw = _text(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw) if len(raw) <= 10 else date.fromisoformat("")
        except ValueError:
            errors[name] = "请按“年-月-日”填写日期，例如 2026-03-01。"
            return None

    staff_id = number("staff_id", "请从列表中选择员工。")
    record = _text("record")
    if len(record) > FIELD_MAX:
        errors["record"] = f"编号最多{FIELD_MAX}个字符。"
    action = _text("action")[:FIELD_MAX]
    page = number("page", "页码不正确。") or 1
    filters = audit_search.AuditFilters(
        staff_id=staff_id, target_type=_text("target_type")[:FIELD_MAX] or None,
        record=record or None if "record" not in errors else None, action=action or None,
        date_from=day("date_from"), date_to=day("date_to"))
    return filters, page, errors


def describe(row: audit_search.AuditRow) -> str:
    """A row's detail in words: field names and counts, never personal data (the log holds
    none)."""
    detail = row.detail or {}
    if not isinstance(detail, dict):
        return ""
    parts = []
    for key, value in detail.items():
        if key == "field":
            value = FIELD_LABELS.get(value, value)
        elif key == "filters" and isinstance(value, dict):
            value = "、".join(f"{k}={v}" for k, v in value.items()) or "无"
        elif isinstance(value, list) and len(value) == 2 and row.action == "staff.changed":
            value = f"{value[0]} → {value[1]}"
        parts.append(f"{DETAIL_LABELS.get(key, key)}：{value}")
    return "；".join(parts)


@bp.get("")
@console_required(ADMIN)
def audit_page():
    filters, page_no, errors = _filters()
    found = None
    if not errors:
        try:
            found = audit_search.search_audit(g.staff, filters, page=page_no)
        except ValidationFailed as failed:
            errors = dict(failed.details) or {"form": failed.message}
    if found is None:
        # The choices still come from the service (and the failed look-up is not a read).
        found = audit_search.AuditPage(rows=[], page=1, per_page=audit_search.PER_PAGE,
                                       total=0, filters=filters,
                                       staff=audit_search.township_staff(g.staff),
                                       actions=audit_search.known_actions(g.staff))
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("console/audit_log.html", found=found, errors=errors, args=query,
                           describe=describe, target_labels=audit_search.TARGET_LABELS,
                           values=request.args), 422 if errors else 200
