"""The registration desk's case: what a reviewer reads beside the documents (the form in
words, conflict flags explained, who did what when), the items she can tick when returning a
case, and the decisions the desk adds on top of review.py (several approvals at once).

Every decision goes through review.py: this module never moves a status itself, so the
scope, the audit, the deadline and the resident's notice stay the same as in the staff API.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from wxapp.china_time import to_china
from wxapp.errors import DomainError, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import BirthRegistration, StaffUser
from wxapp.security.masking import mask_id_number, mask_phone
from wxapp.services.audit import Actor, record_audit
from wxapp.services.registration import review
from wxapp.services.registration.desk_queue import registration_scope
from wxapp.services.registration.rules import DOCUMENT_LABELS, MARITAL_STATUSES

# Why a case waits for a person (applications.conflict_flags), said so that a new reviewer
# knows what to check.
CONFLICT_EXPLANATIONS = {
    "promised_documents": "申请人选择了“承诺后补”，部分材料还没有上传：请核对是否已补交，"
                          "或在退回时请其补交。",
    "earlier_registration": "夫妻一方还有另一份在办或已登记的生育登记：请核对是否重复申请，"
                            "或是否为再婚后的新登记。",
    "child_count_mismatch": "已有登记显示这对夫妻的这一孩次（或更高孩次）已经登记过，"
                            "本次填报的孩次可能不对：请核对现有子女情况。",
}
CONFLICT_SHORT = {"promised_documents": "材料承诺后补", "earlier_registration": "已有其他登记",
                  "child_count_mismatch": "孩次可能不符"}

# Items a reviewer may tick when returning a case, each with the field it concerns and what
# the resident reads unless the reviewer writes her own words.
RETURN_CHOICES = {
    "mother.name": ("女方姓名", "女方姓名与身份证不一致，请核对后修改。"),
    "mother.id_number": ("女方身份证号码", "女方身份证号码与证件照片不一致，请核对后修改。"),
    "mother.phone": ("女方手机号码", "女方手机号码无法联系，请核对后修改。"),
    "father.name": ("男方姓名", "男方姓名与身份证不一致，请核对后修改。"),
    "father.id_number": ("男方身份证号码", "男方身份证号码与证件照片不一致，请核对后修改。"),
    "father.phone": ("男方手机号码", "男方手机号码无法联系，请核对后修改。"),
    "marriage_date": ("结婚日期", "结婚日期与结婚证不一致，请核对后修改。"),
    "expected_or_birth_date": ("预产期或出生日期", "预产期或出生日期有误，请核对后修改。"),
    "existing_children": ("现有子女", "现有子女情况与户口簿不一致，请核对后修改。"),
    "village_id": ("登记地（村/社区）", "登记地与户籍或居住地不符，请重新选择。"),
    "documents.mother_id_card": ("女方身份证照片", "女方身份证照片不清晰或缺失，请重新上传。"),
    "documents.father_id_card": ("男方身份证照片", "男方身份证照片不清晰或缺失，请重新上传。"),
    "documents.hukou_page": ("户口簿", "户口簿照片不清晰或缺失，请重新上传。"),
    "documents.marriage_certificate": ("结婚证", "结婚证照片不清晰或缺失，请重新上传。"),
}
OTHER_ITEM = "other"
MAX_RETURN_NOTE = 200

PREGNANCY_LABELS = {"planning": "计划怀孕", "pregnant": "已怀孕", "born": "已生育"}
FILER_LABELS = {"mother": "女方", "father": "男方"}
RELATION_LABELS = {"both": "夫妻共同子女", "mother_only": "女方子女", "father_only": "男方子女"}
ACTOR_LABELS = {"resident": "申请人本人", "system": "系统"}
EVENT_LABELS = {"submitted": "提交申请", "returned": "退回修改", "approved": "准予登记",
                "rejected": "不予登记", "withdrawn": "撤回申请",
                "correction_requested": "申请更正"}


# -- reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryEntry:
    at: str  # China wall-clock time, as people read it
    action: str
    actor: str
    note: str | None


def history(reg: BirthRegistration) -> list[HistoryEntry]:
    """Who did what when, staff named by their display name."""
    staff_ids = {int(e.actor_id) for e in reg.events
                 if e.actor_type == "staff" and (e.actor_id or "").isdigit()}
    names = dict(db.session.execute(select(StaffUser.id, StaffUser.display_name).where(
        StaffUser.id.in_(staff_ids))).all()) if staff_ids else {}
    entries = []
    for event in reg.events:
        if event.actor_type == "staff":
            actor = names.get(int(event.actor_id), "工作人员") if (
                event.actor_id or "").isdigit() else "工作人员"
        else:
            actor = ACTOR_LABELS.get(event.actor_type, event.actor_type)
        action = EVENT_LABELS.get(event.to_status, event.to_status)
        if event.from_status == "correction_requested" and event.to_status == "approved":
            action = "审核更正"
        elif event.from_status == event.to_status == "submitted":
            action = "修改申请"
        entries.append(HistoryEntry(to_china(event.at).strftime("%Y-%m-%d %H:%M"), action,
                                    actor, event.note))
    return entries


def conflicts_explained(reg: BirthRegistration) -> list[tuple[str, str]]:
    return [(CONFLICT_SHORT.get(flag, flag), CONFLICT_EXPLANATIONS.get(
        flag, "需要人工核对。")) for flag in reg.conflict_flags or []]


def parent_lines(reg: BirthRegistration, role: str) -> list[tuple[str, str, str | None]]:
    """A parent as (label, text, field) lines: ID number and phone masked (empty when not
    given), with the field a staff member may ask to see in full (an audited reveal)."""
    return [("姓名", getattr(reg, f"{role}_name"), None),
            ("身份证号码", mask_id_number(getattr(reg, f"{role}_id_number")),
             f"{role}_id_number"),
            ("手机号码", mask_phone(getattr(reg, f"{role}_phone")), f"{role}_phone"),
            ("户籍地区码", getattr(reg, f"{role}_hukou_region"), None),
            ("婚姻状况", MARITAL_STATUSES.get(getattr(reg, f"{role}_marital_status") or "",
                                          "未填写"), None)]


def children_lines(reg: BirthRegistration) -> list[str]:
    lines = []
    for child in json.loads(reg.existing_children or "[]"):
        words = [child.get("birth_date") or "出生日期未填",
                 RELATION_LABELS.get(child.get("relation"), "关系未填")]
        if not child.get("alive", True):
            words.append("已故")
        if child.get("adopted"):
            words.append("收养")
        lines.append("，".join(words))
    return lines


def promised_labels(reg: BirthRegistration) -> list[str]:
    return [DOCUMENT_LABELS.get(k, k) for k in reg.promised_documents or []]


def correction_changes(reg: BirthRegistration) -> list[tuple[str, str, str]]:
    """(what, now, asked for) for each field a pending correction would change; ID numbers
    and phones masked on both sides."""
    if not reg.pending_correction:
        return []
    asked = json.loads(reg.pending_correction)
    changes = []
    for role, role_label in (("mother", "女方"), ("father", "男方")):
        new = asked.get(role) or {}
        for key, label, mask in (("name", "姓名", None),
                                 ("id_number", "身份证号码", mask_id_number),
                                 ("phone", "手机号码", mask_phone),
                                 ("hukou_region", "户籍地区码", None)):
            old_value = getattr(reg, f"{role}_{key}") or ""
            new_value = (new.get(key) or "").strip()
            if new_value and new_value != old_value:
                show = mask or (lambda v: v)
                changes.append((role_label + label, show(old_value), show(new_value)))
    for key, label in (("marriage_date", "结婚日期"),
                       ("expected_or_birth_date", "预产期或出生日期")):
        old_value = getattr(reg, key)
        old_text = old_value.isoformat() if old_value else ""
        if (asked.get(key) or "") != old_text:
            changes.append((label, old_text or "未填写", asked.get(key) or "未填写"))
    if asked.get("village_id") not in (None, reg.village_id):
        changes.append(("登记地", str(reg.village_id), str(asked.get("village_id"))))
    return changes


# -- returning a case ----------------------------------------------------------------------
def return_items(ticked: list[str], notes: dict[str, str], other: str = "") -> list[dict]:
    """The items review.return_for_changes takes, from the ticked boxes: each with its field
    and the reviewer's words for it (or the standard sentence), plus anything else she wrote.
    Nothing ticked and nothing written is refused here, before anything changes."""
    unknown = [t for t in ticked if t not in RETURN_CHOICES and t != OTHER_ITEM]
    if unknown:
        raise ValidationFailed("registration.return_item_unknown",
                               "勾选的补正项目不正确，请刷新页面后重试。")
    items = []
    for key in RETURN_CHOICES:
        if key in ticked:
            words = (notes.get(key) or "").strip()[:MAX_RETURN_NOTE]
            items.append({"field": key, "message": words or RETURN_CHOICES[key][1]})
    other = (other or "").strip()[:MAX_RETURN_NOTE]
    if other:
        items.append({"field": None, "message": other})
    elif OTHER_ITEM in ticked:
        raise ValidationFailed("registration.return_items_required",
                               "勾选了“其他”时，请写明需要补正的内容。",
                               details={OTHER_ITEM: "请写明需要补正的内容。"})
    if not items:
        raise ValidationFailed("registration.return_items_required",
                               "退回时请至少勾选一项需要补正的内容。")
    return items


# -- several approvals at once -------------------------------------------------------------
@dataclass
class BatchOutcome:
    approved: list[BirthRegistration] = field(default_factory=list)
    # (registration id, application number or None, why it was left as it was)
    skipped: list[tuple[int, str | None, str]] = field(default_factory=list)


MAX_BATCH = 50


def batch_approve(staff: StaffUser, registration_ids: list[int]) -> BatchOutcome:
    """Approve each selected case that waits for review and has no conflict flag; leave the
    rest as they are and say why. A case with a conflict always needs its own reading."""
    if not registration_ids:
        raise ValidationFailed("registration.batch_empty", "请先勾选要批量审批的申请。")
    if len(registration_ids) > MAX_BATCH:
        raise ValidationFailed("registration.batch_too_large",
                               f"一次最多批量审批{MAX_BATCH}件，请分批处理。")
    outcome = BatchOutcome()
    for registration_id in dict.fromkeys(registration_ids):
        reg = db.session.scalars(registration_scope(staff, select(BirthRegistration).filter_by(
            id=registration_id))).first()
        if reg is None:
            outcome.skipped.append((registration_id, None, "没有找到这份申请"))
            continue
        if reg.conflict_flags:
            outcome.skipped.append((reg.id, reg.application_no, "有需要核对的问题（"
                                    + "、".join(CONFLICT_SHORT.get(f, f)
                                               for f in reg.conflict_flags)
                                    + "），请逐件审核"))
            continue
        try:
            # Each approval in its own savepoint: one refused case leaves the others done.
            with db.session.begin_nested():
                outcome.approved.append(review.approve(staff, reg.id))
        except DomainError as exc:
            outcome.skipped.append((reg.id, reg.application_no, exc.message.rstrip("。")))
    record_audit(Actor("staff", str(staff.id)), "registration.batch_approve",
                 "birth_registration", None,
                 {"approved": [r.id for r in outcome.approved],
                  "skipped": [s[0] for s in outcome.skipped]})
    return outcome


# -- the certificate -----------------------------------------------------------------------
def certificate_for_staff(staff: StaffUser, registration_id: int) -> BirthRegistration:
    """A registered case whose certificate staff print for the family (audited as such)."""
    reg = review.get_for_staff(staff, registration_id)
    if reg.status not in review.REGISTERED or not reg.certificate_code:
        raise NotFound("registration.not_approved", "登记办结后才能打印登记凭证。")
    record_audit(Actor("staff", str(staff.id)), "registration.certificate_printed",
                 "birth_registration", reg.id)
    return reg
