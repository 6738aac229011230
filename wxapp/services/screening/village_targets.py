"""The township's year target for pre-pregnancy checks, shared out to its villages (任务分解到村),
so that a village worker's coverage is measured against what her village was asked to do.

Invariants: a share is a whole number of couples, at least 0; the shares of one year never add
up to more than the township's target for that year (so the township's target must be set
first); a village with no share has none (未分解到村), never an invented one. Each change is
audited with the value before and after; saving the same shares again changes nothing and
audits nothing."""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from sqlalchemy import select

from wxapp.errors import Forbidden, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import ScreeningTarget, ScreeningVillageTarget, StaffUser, Village
from wxapp.services.audit import Actor, record_audit
from wxapp.services.screening.stats import township_target

SETTERS = ("township_admin",)
# Far above any township's couples in a year: a typo, not a plan.
SHARE_MAX = 100_000


def field_name(village_id: int) -> str:
    return f"village_{village_id}"


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationFailed("report.year", "年份不正确。")


def _villages(staff: StaffUser) -> list[Village]:
    return list(db.session.scalars(select(Village).filter_by(township_id=staff.township_id)
                                   .order_by(Village.code)))


def _shares(village_ids, year: int) -> dict[int, ScreeningVillageTarget]:
    return {row.village_id: row for row in db.session.scalars(
        select(ScreeningVillageTarget).where(ScreeningVillageTarget.village_id.in_(village_ids),
                                             ScreeningVillageTarget.year == year))}


def village_targets(staff: StaffUser, year: int) -> dict:
    """The township's target for ``year`` and each of its villages' shares (None: none)."""
    _check_year(year)
    villages = _villages(staff)
    shares = _shares([v.id for v in villages], year)
    rows = [{"village_id": v.id, "village": v.name, "field": field_name(v.id),
             "target": shares[v.id].target if v.id in shares else None} for v in villages]
    assigned = sum(r["target"] for r in rows if r["target"] is not None)
    target = township_target(staff.township_id, year)
    return {"year": year, "township_target": target, "villages": rows, "assigned": assigned,
            "unassigned": None if target is None else target - assigned}


def _whole_number(raw) -> int | None:
    """A share as typed: blank for none; digits (full-width ones too, as Chinese input
    methods type them) for a number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        value = raw
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ValueError
        value = int(text)
    if not 0 <= value <= SHARE_MAX:
        raise ValueError
    return value


def set_village_targets(staff: StaffUser, year: int, shares: Mapping[int, object]) -> dict:
    """Set the shares of ``year`` for the villages named in ``shares`` (blank: no share);
    villages not named keep theirs. All or nothing: one wrong value saves none of them."""
    if staff.role not in SETTERS:
        raise Forbidden("screening.village_targets_forbidden", "只有镇卫健办可以分解年度目标。")
    _check_year(year)
    villages = {v.id: v for v in _villages(staff)}
    if any(village_id not in villages for village_id in shares):
        raise NotFound("village.not_found", "没有找到这个村（社区）。")
    # The township's row is locked so that the office lowering its target and a share being
    # raised at the same moment cannot together leave the shares above the target.
    target = db.session.scalar(select(ScreeningTarget.target).filter_by(
        township_id=staff.township_id, year=year).with_for_update())
    wanted: dict[int, int | None] = {}
    errors: dict[str, str] = {}
    for village_id, raw in shares.items():
        try:
            wanted[village_id] = _whole_number(raw)
        except ValueError:
            errors[field_name(village_id)] = "请填写0或正整数（不分解到本村请留空）。"
    if errors:
        raise ValidationFailed("screening.village_target_invalid", details=errors)
    current = _shares(list(villages), year)
    after = {village_id: row.target for village_id, row in current.items()}
    after.update(wanted)
    total = sum(value for value in after.values() if value is not None)
    if total and target is None:
        raise ValidationFailed("screening.township_target_missing", details={
            "form": f"{year}年全镇目标任务数尚未设置：请先在“系统设置”中填写，再分解到村。"})
    if target is not None and total > target:
        raise ValidationFailed("screening.village_targets_exceed", details={
            "form": f"各村分解合计{total}对，超过了全镇{year}年目标{target}对，"
                    f"请减少{total - target}对。"})
    changes = {}
    for village_id, value in wanted.items():
        row = current.get(village_id)
        before = row.target if row is not None else None
        if before == value:
            continue
        changes[villages[village_id].name] = {"before": before, "after": value}
        if value is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(ScreeningVillageTarget(village_id=village_id, year=year, target=value))
        else:
            row.target = value
    if changes:
        record_audit(Actor("staff", str(staff.id)), "screening.village_targets", "township",
                     staff.township_id, {"year": year, "township_target": target,
                                         "changes": changes})
        db.session.flush()
    return {**village_targets(staff, year), "changed": len(changes)}
