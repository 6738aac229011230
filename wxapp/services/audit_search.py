"""The township office reads its audit log: who read or changed which record, and when.

Invariants: an admin sees the rows of her own township's staff only (every staff row names
its actor; rows of another township's staff are not hers to read); a page shows what the rows
hold, which is never personal data (``AuditLog.detail``); and reading the log is itself
written to the log, with the filters used, since who looked up whose activity is as much an
access as the activity itself.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import String, cast, func, or_, select

from wxapp.china_time import china_midnight, to_china
from wxapp.errors import Forbidden, ValidationFailed
from wxapp.extensions import db
from wxapp.models import AuditLog, BirthRegistration, StaffUser
from wxapp.services.audit import Actor, record_audit

SEARCHED = "audit.searched"
PER_PAGE = 50
MAX_PAGE = 10_000

TARGET_LABELS = {
    "birth_registration": "生育登记", "uploaded_document": "证件材料",
    "screening_couple": "孕前检查夫妇", "screening_booking": "孕前检查预约",
    "screening_follow_up": "孕前检查随访", "clinic": "医院", "township": "本镇统计",
    "staff_user": "员工账号", "handover": "人工咨询", "faq_entry": "常见问题",
    "supply_point": "发放点", "supply_item": "计生用品", "supply_task": "发放任务",
    "pickup": "领取记录", "audit_log": "审计日志", "service_rating": "好差评",
    "resident_notice": "居民通知",
    "report": "上报报表",
    "township_setting": "系统设置",
}
ACTION_LABELS = {
    "personal_data.revealed": "查看完整号码",
    "registration.list": "查看登记列表", "registration.read": "查看登记",
    "registration.approved": "批准登记", "registration.returned": "退回修改",
    "registration.rejected": "不予登记", "registration.report": "导出登记报表",
    "registration.correction_accepted": "同意更正", "registration.correction_refused": "不同意更正",
    "document.read": "查看证件材料",
    "screening.couple_read": "查看夫妇信息", "screening.residence_verified": "核实居住",
    "screening.join_code_issued": "发放关联码", "screening.allowance": "允许再次检查",
    "screening.results_read": "查看检查结果", "screening.results_recorded": "录入检查结果",
    "screening.follow_ups_read": "查看随访", "screening.follow_up_recorded": "记录随访",
    "screening.statistics": "查看检查统计", "screening.target": "设置年度目标",
    "booking.day_list_read": "查看当日名单", "booking.check_in": "签到",
    "booking.missed": "标记未到", "booking.read": "查看预约",
    "clinic.schedule": "修改排班", "clinic.close_day": "设置停诊",
    "staff.list": "查看员工列表", "staff.created": "添加员工", "staff.changed": "修改员工",
    "staff.disabled": "停用员工", "staff.enabled": "启用员工",
    "staff.password_reset": "重置密码", "staff.two_step_reset": "重置两步验证",
    "staff.two_step_enrolled": "设置两步验证", "staff.signed_out_everywhere": "在所有设备上退出",
    "audit.searched": "查看审计日志",
    "rating.callbacks_read": "查看差评回访", "rating.callback": "记录差评回访",
    "handover.list": "查看居民留言列表", "handover.read": "查看居民留言",
    "handover.answer": "回复居民留言",
    "notices.read": "查看通知送达", "notices.list": "查看通知送达列表",
    "report.hand_in": "下载上报报表", "supplies.report": "导出药具报表",
    "screening.village_targets": "分解年度目标到村",
    "settings.changed": "修改系统设置", "supplies.item_rules": "修改领取限额",
}


@dataclass(frozen=True)
class AuditFilters:
    staff_id: int | None = None
    target_type: str | None = None
    record: str | None = None  # an id, or a registration's application / registration number
    action: str | None = None
    date_from: date | None = None  # China dates, both ends included
    date_to: date | None = None

    def used(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # China time
    staff: StaffUser | None
    action: str
    action_label: str
    target_type: str
    target_label: str
    target_id: str | None
    detail: dict | None
    ip: str | None


@dataclass
class AuditPage:
    rows: list[AuditRow]
    page: int
    per_page: int
    total: int
    filters: AuditFilters
    staff: list[StaffUser] = field(default_factory=list)  # whom the filter may name
    actions: list[tuple[str, str]] = field(default_factory=list)  # (code, label)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _township_staff_ids(admin: StaffUser):
    # actor_id is text (it also names residents and devices): compare as text.
    return select(cast(StaffUser.id, String)).where(StaffUser.township_id == admin.township_id)


def _record_ids(admin: StaffUser, target_type: str | None, record: str) -> list[str]:
    """What the office types to name a record: its number in the system, or for a birth
    registration also its application or registration number."""
    record = record.strip()
    if record.isascii() and record.isdigit():
        return [str(int(record))]
    if target_type in (None, "birth_registration"):
        found = db.session.scalars(select(BirthRegistration.id).where(
            BirthRegistration.township_id == admin.township_id,
            or_(BirthRegistration.application_no == record,
                BirthRegistration.registration_number == record)))
        return [str(i) for i in found]
    return []


def _check(filters: AuditFilters) -> None:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed("audit.date_range_invalid", "结束日期不能早于开始日期。",
                               details={"date_to": "结束日期不能早于开始日期。"})
    if filters.target_type and filters.target_type not in TARGET_LABELS:
        raise ValidationFailed("audit.target_type_invalid", "请从列表中选择记录类型。",
                               details={"target_type": "请从列表中选择记录类型。"})
    if filters.record and len(filters.record) > 64:
        raise ValidationFailed("audit.record_invalid", "编号最多64个字符。",
                               details={"record": "编号最多64个字符。"})


def search_audit(admin: StaffUser, filters: AuditFilters, page: int = 1,
                 per_page: int = PER_PAGE) -> AuditPage:
    if admin.role != "township_admin":
        raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
    _check(filters)
    page = min(max(1, page), MAX_PAGE)
    query = select(AuditLog).where(AuditLog.actor_type == "staff",
                                   AuditLog.actor_id.in_(_township_staff_ids(admin)))
    if filters.staff_id:
        query = query.where(AuditLog.actor_id == str(filters.staff_id))
    if filters.target_type:
        query = query.where(AuditLog.target_type == filters.target_type)
    if filters.record:
        query = query.where(AuditLog.target_id.in_(
            _record_ids(admin, filters.target_type, filters.record)))
    if filters.action:
        query = query.where(AuditLog.action == filters.action)
    if filters.date_from:
        query = query.where(AuditLog.at >= china_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditLog.at < china_midnight(filters.date_to + timedelta(days=1)))

    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # A page past the end (an old link, a typed number) shows the last page, not nothing.
    page = min(page, max(1, -(-total // per_page)))
    entries = list(db.session.scalars(query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                                      .limit(per_page).offset((page - 1) * per_page)))
    staff = township_staff(admin)
    by_id = {str(s.id): s for s in staff}
    rows = [AuditRow(id=e.id, at=to_china(e.at), staff=by_id.get(e.actor_id or ""),
                     action=e.action, action_label=ACTION_LABELS.get(e.action, e.action),
                     target_type=e.target_type,
                     target_label=TARGET_LABELS.get(e.target_type, e.target_type),
                     target_id=e.target_id, detail=e.detail, ip=e.ip) for e in entries]
    record_audit(Actor("staff", str(admin.id)), SEARCHED, "audit_log", None,
                 {"filters": filters.used(), "page": page})
    return AuditPage(rows=rows, page=page, per_page=per_page, total=total, filters=filters,
                     staff=staff, actions=known_actions(admin))


def township_staff(admin: StaffUser) -> list[StaffUser]:
    """Whom the filter may name: the township's staff, disabled ones too (their rows stay)."""
    return list(db.session.scalars(select(StaffUser).filter_by(township_id=admin.township_id)
                                   .order_by(StaffUser.display_name, StaffUser.id)))


def known_actions(admin: StaffUser) -> list[tuple[str, str]]:
    """(code, label) of every action the township's staff have a row for."""
    seen = db.session.scalars(select(AuditLog.action).distinct().where(
        AuditLog.actor_type == "staff", AuditLog.actor_id.in_(_township_staff_ids(admin))))
    return [(a, ACTION_LABELS.get(a, a)) for a in sorted(set(seen))]
