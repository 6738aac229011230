"""系统设置, for the township office: contact facts, the registration deadline, booking and
no-show rules (``services.township_settings``), the supply items' quotas
(``services.supplies.staff_queries.set_quotas``) and the programme's yearly targets
(``services.screening.stats.set_target``), with the latest changes at the bottom.

Each section is its own form and one transaction: everything in it is checked before
anything is written, and a refusal re-renders the page with the message beside its field and
nothing saved. A form sent twice changes nothing the second time (the services compare with
what is stored and record only real changes)."""
from __future__ import annotations

import unicodedata

from flask import flash, g, redirect, render_template, request, url_for

from wxapp.china_time import china_today, to_china
from wxapp.console.access import console_required
from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.services import township_settings
from wxapp.services.screening import stats
from wxapp.services.supplies import staff_queries as supplies
from wxapp.web.blueprint import Blueprint

bp = Blueprint("console_settings", __name__, url_prefix="/console/settings")
ADMIN = "township_admin"
FIELD_MAX = 200
QUOTA_FIELDS = ("per_pickup_limit", "interval_days", "yearly_limit")
QUOTA_LABELS = {"per_pickup_limit": "每次最多", "interval_days": "间隔天数",
                "yearly_limit": "每年最多"}
# The forms of the page, by the path part they are sent to.
RULE_SECTIONS = ("office", "registration", "bookings", "no_show")
SECTION_ANCHORS = {"office": "office", "registration": "registration", "bookings": "bookings",
                   "no_show": "no-show", "quotas": "quotas", "targets": "targets"}


class FormProblem(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


def _text(name: str) -> str:
    return request.form.get(name, "")[:FIELD_MAX]


def _whole_number(raw: str) -> int | None:
    # Full-width digits (１２) are what a Chinese input method often types.
    raw = unicodedata.normalize("NFKC", raw).strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 7:
        return int(raw)
    return None


def _target_years() -> list[int]:
    year = china_today().year
    return [year, year + 1]


def _page(status: int = 200, *, section: str | None = None, errors=None, values=None):
    effective = township_settings.current()
    items = supplies.items()
    targets = {year: stats.township_target(g.staff.township_id, year)
               for year in _target_years()}
    body = render_template(
        "console/settings/page.html",
        sections=township_settings.SECTIONS, settings=township_settings.SETTINGS,
        section_titles={**township_settings.SECTIONS, "quotas": "药具领取限额",
                        "targets": "孕检年度目标"},
        effective=effective, defaults=township_settings.defaults(),
        items=items, quota_fields=QUOTA_FIELDS, quota_labels=QUOTA_LABELS, targets=targets,
        history=_history(items), section=section, errors=errors or {}, values=values or {})
    return body, status


@bp.get("")
@console_required(ADMIN)
def page():
    return _page()


def _saved(section: str, what: list[str]):
    if what:
        flash("已保存：" + "、".join(what) + "。修改立即生效。", "success")
    else:
        flash("没有改动，无需保存。", "info")
    return redirect(url_for("console_settings.page") + "#" + SECTION_ANCHORS[section], 303)


@bp.post("/rules/<section>")
@console_required(ADMIN)
def save_rules(section: str):
    if section not in RULE_SECTIONS:
        raise NotFound()
    keys = [s.key for s in township_settings.SETTINGS if s.section == section]
    values = {key: _text(key) for key in keys}
    try:
        changed = township_settings.update(g.staff, values)
    except (ValidationFailed, Conflict) as refused:
        return _page(refused.status, section=section, errors=refused.details, values=values)
    return _saved(section, [township_settings.BY_KEY[key].label for key in changed])


@bp.post("/quotas")
@console_required(ADMIN)
def save_quotas():
    items = {item.id: item for item in supplies.items()}
    values = {f"{item_id}.{name}": _text(f"{item_id}.{name}")
              for item_id in items for name in QUOTA_FIELDS}
    try:
        rules, errors = {}, {}
        for item_id in items:
            rules[item_id] = {}
            for name in QUOTA_FIELDS:
                number = _whole_number(values[f"{item_id}.{name}"])
                if number is None:
                    errors[f"{item_id}.{name}"] = "请填写整数。"
                else:
                    rules[item_id][name] = number
        if errors:
            raise FormProblem(errors)
        before = {item.id: {name: getattr(item, name) for name in QUOTA_FIELDS}
                  for item in items.values()}
        supplies.set_quotas(g.staff, rules)
    except FormProblem as problem:
        return _page(422, section="quotas", errors=problem.errors, values=values)
    except ValidationFailed as refused:
        return _page(422, section="quotas", errors=refused.details, values=values)
    changed = [items[item_id].name for item_id, item_rules in rules.items()
               if item_rules != before[item_id]]
    return _saved("quotas", [f"{name}的领取限额" for name in changed])


@bp.post("/targets")
@console_required(ADMIN)
def save_targets():
    years = _target_years()
    values = {f"target_{year}": _text(f"target_{year}") for year in years}
    wanted, errors = {}, {}
    for year in years:
        raw = values[f"target_{year}"].strip()
        if not raw:
            continue  # a year the office has not set yet and leaves blank
        number = _whole_number(raw)
        if number is None:
            errors[f"target_{year}"] = "请填写整数（对）。"
        else:
            wanted[year] = number
    if errors:
        return _page(422, section="targets", errors=errors, values=values)
    before = {year: stats.township_target(g.staff.township_id, year) for year in wanted}
    for year, target in wanted.items():
        try:
            stats.set_target(g.staff, year, target)
        except ValidationFailed as refused:
            # The answer is a 422, so the request rolls back a year saved before this one.
            return _page(422, section="targets", values=values, errors={
                f"target_{year}": refused.details.get("target", refused.message)})
    return _saved("targets", [f"{year}年目标" for year, target in wanted.items()
                              if target != before[year]])


# -- the change history ------------------------------------------------------------------------
def _shown(value) -> str:
    return "（未设置）" if value is None or value == "" else str(value)


def _describe(entry, item_names: dict[str, str]) -> str:
    detail = entry.detail or {}
    if entry.action == township_settings.CHANGED:
        setting = township_settings.BY_KEY.get(detail.get("key"))
        label = setting.label if setting else detail.get("key", "")
        unit = setting.unit if setting else ""
        return f"{label}：{_shown(detail.get('old'))} → {_shown(detail.get('new'))}{unit}"
    if entry.action == "screening.target":
        return (f"{detail.get('year')}年孕检目标：{_shown(detail.get('old'))} → "
                f"{_shown(detail.get('target'))}对")
    name = item_names.get(entry.target_id, detail.get("item", "药具"))
    old = detail.get("old") or {}
    parts = [f"{QUOTA_LABELS.get(k, k)} {_shown(old.get(k))} → {v}"
             for k, v in detail.items() if k in QUOTA_LABELS]
    return f"{name}领取限额：" + ("，".join(parts) if parts else "已修改")


def _history(items) -> list[dict]:
    item_names = {str(item.id): item.name for item in items}
    return [{"at": to_china(entry.at).strftime("%Y-%m-%d %H:%M"),
             "who": name or "系统", "what": _describe(entry, item_names)}
            for entry, name in township_settings.history()]
