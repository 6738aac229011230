"""The township's rules and contact facts, as the office sets them, in effect at once.

Invariant: what a resident is told and what the rules enforce is what the database says now,
on every instance. ``current()`` reads the office's values once per unit of work (a request,
a job: ``transactions.unit_cache``, emptied at its commit or rollback) and never keeps them
in the process, so a change saved through one instance is what the next request on any other
sees. A setting the office never changed keeps the environment's value (``config.Settings``),
so a fresh machine works before anyone opens the settings page.

``update`` validates every change before writing any, and writes one audit row per setting
that really changed (its old and new value: none of these is personal data); a form sent
twice changes nothing the second time."""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import String, cast, select
from sqlalchemy.exc import DBAPIError, IntegrityError, PendingRollbackError

from wxapp import config
from wxapp.errors import Conflict, Forbidden, ValidationFailed
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser, TownshipSetting
from wxapp.services.audit import Actor, record_audit
from wxapp.transactions import unit_cache

log = logging.getLogger(__name__)

ADMIN_ROLE = "township_admin"
CHANGED = "settings.changed"
_CACHE_KEY = "township_settings"


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    section: str
    kind: type  # int or str
    # Returns a Chinese message when the value cannot be accepted, else None.
    check: Callable[[object], str | None]
    unit: str = ""
    hint: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind is int


def _between(low: int, high: int, unit: str) -> Callable[[object], str | None]:
    def check(value) -> str | None:
        if not low <= value <= high:
            return f"请填写{low}到{high}之间的整数（单位：{unit}）。"
        return None
    return check


def _text_length(low: int, high: int) -> Callable[[object], str | None]:
    def check(value) -> str | None:
        if not low <= len(value) <= high:
            return f"请填写{low}到{high}个字。"
        if any(ch in value for ch in "{}<>\r\n"):
            # Answers are filled in with str.format-like placeholders and shown in pages.
            return "不能包含换行或 { } < > 这些符号。"
        return None
    return check


# Landlines with area code (0571-88886666), mobiles (13800138000), 400/800 numbers and the
# government's five-digit hotlines (12345, 12320); spaces, hyphens and brackets as people
# write them, and an extension after 转.
_PHONE_SHAPE = re.compile(r"[0-9\-\s()（）]+(转[0-9]{1,6})?")
_PHONE_DIGITS = re.compile(r"0[1-9][0-9]{8,10}|1[3-9][0-9]{9}|[48]00[0-9]{7}|123[0-9]{2}")


_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,6}")


def _phone(value) -> str | None:
    if not 5 <= len(value) <= 24 or not _PHONE_SHAPE.fullmatch(value):
        return "请填写正确的电话号码，如 0571-88886666、13800138000 或 12345。"
    number = re.sub(r"[^0-9]", "", value.split("转")[0])
    if not _PHONE_DIGITS.fullmatch(number):
        return "请填写正确的电话号码，如 0571-88886666、13800138000 或 12345。"
    return None


SECTIONS = {
    "office": "办公室联系方式",
    "registration": "生育登记",
    "bookings": "孕检预约",
    "no_show": "预约未到检",
}

SETTINGS: tuple[Setting, ...] = (
    Setting("office_name", "办公室名称", "office", str, _text_length(2, 32),
            hint="回复和页面里称呼办公室的名字。"),
    Setting("office_phone", "办公电话", "office", str, _phone,
            hint="居民在回复和页面里看到的电话，如 0571-88886666、12345。"),
    Setting("office_address", "办公地址", "office", str, _text_length(4, 100)),
    Setting("office_hours", "办公时间", "office", str, _text_length(4, 60)),
    Setting("registration_review_working_days", "审核时限", "registration", int,
            _between(1, 30, "个工作日"), unit="个工作日",
            hint="新提交的申请在这么多个工作日内审核完毕；已提交的申请时限不变。"),
    Setting("booking_min_notice_hours", "最少提前预约", "bookings", int,
            _between(0, 72, "小时"), unit="小时"),
    Setting("booking_max_days_ahead", "最多提前预约", "bookings", int,
            _between(1, 180, "天"), unit="天"),
    Setting("booking_cancel_cutoff_hours", "取消或改约截止", "bookings", int,
            _between(0, 72, "小时"), unit="小时",
            hint="检查开始前这么多小时以内不能再取消或改约。"),
    Setting("waitlist_hold_minutes", "候补名额保留", "bookings", int,
            _between(15, 1440, "分钟"), unit="分钟", hint="空出的名额留给候补夫妇确认的时间。"),
    Setting("no_show_limit", "未到检次数", "no_show", int, _between(1, 10, "次"), unit="次",
            hint="统计期内未到检达到这么多次，暂停网上预约。"),
    Setting("no_show_window_days", "统计期", "no_show", int, _between(30, 730, "天"),
            unit="天"),
    Setting("no_show_restriction_days", "暂停预约", "no_show", int,
            _between(1, 365, "天"), unit="天"),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}


@dataclass(frozen=True)
class TownshipSettings:
    office_name: str
    office_phone: str
    office_address: str
    office_hours: str
    registration_review_working_days: int
    booking_min_notice_hours: int
    booking_max_days_ahead: int
    booking_cancel_cutoff_hours: int
    waitlist_hold_minutes: int
    no_show_limit: int
    no_show_window_days: int
    no_show_restriction_days: int

    def reply_placeholders(self) -> dict[str, str]:
        """The knowledge base's placeholders: the environment's, with the office's values."""
        values = config.settings().reply_placeholders()
        values.update({
            "office_name": self.office_name,
            "office_phone": self.office_phone,
            "office_address": self.office_address,
            "office_hours": self.office_hours,
            "review_working_days": str(self.registration_review_working_days),
            "booking_cancel_cutoff_hours": str(self.booking_cancel_cutoff_hours),
        })
        return values


def defaults() -> dict[str, object]:
    """The environment's values: what a setting is until the office changes it."""
    env = config.settings()
    return {setting.key: getattr(env, setting.key) for setting in SETTINGS}


def _stored(*, lock: bool = False) -> dict[str, str]:
    query = select(TownshipSetting.key, TownshipSetting.value)
    if lock:
        # Two offices saving at once: the second reads (and audits as "old") what the first
        # wrote, not what both saw before.
        query = query.with_for_update()
    # Never flush the caller's pending rows from here: a service that counts on its own
    # flush to meet a unique constraint (and turn it into a domain error) must meet it there.
    with db.session.no_autoflush:
        return dict(db.session.execute(query).all())


def _effective(stored: dict[str, str]) -> dict[str, object]:
    values = defaults()
    for key, raw in stored.items():
        setting = BY_KEY.get(key)
        if setting is None:
            continue  # a setting a later version no longer has
        try:
            value = setting.kind(raw)
        except ValueError:
            log.warning("township setting %s holds %r; using the environment's value", key, raw)
            continue
        values[key] = value
    return values


def current() -> TownshipSettings:
    """The settings in effect for this request or job."""
    cache = unit_cache()
    if _CACHE_KEY not in cache:
        try:
            stored = _stored()
        except (DBAPIError, PendingRollbackError):
            # Replies that apologise for a broken database still need a phone number.
            log.warning("township settings unreadable; using the environment's", exc_info=True)
            return TownshipSettings(**defaults())
        cache[_CACHE_KEY] = TownshipSettings(**_effective(stored))
    return cache[_CACHE_KEY]


def _parse(setting: Setting, raw) -> tuple[object | None, str | None]:
    if setting.kind is int:
        if isinstance(raw, bool):
            return None, "请填写整数。"
        if isinstance(raw, int):
            value = raw
        else:
            # Full-width digits (１２) are what a Chinese input method often types.
            text = unicodedata.normalize("NFKC", str(raw)).strip()
            if not _WHOLE_NUMBER.fullmatch(text):
                return None, "请填写整数。"
            value = int(text)
    else:
        value = " ".join(str(raw).split()) if setting.key != "office_hours" else str(raw).strip()
        if not value:
            return None, f"请填写{setting.label}。"
    return value, None


def validate(changes: dict[str, object], base: dict[str, object]) -> dict[str, object]:
    """Typed values for ``changes``, or ValidationFailed with a Chinese message per field."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for key, raw in changes.items():
        setting = BY_KEY.get(key)
        if setting is None:
            errors[key] = "没有这项设置。"
            continue
        value, problem = _parse(setting, raw)
        if problem is None and value != base[key]:
            # Only a change is checked: the environment's placeholder phone, sent back
            # unchanged with the rest of its form, must not block saving the address.
            problem = setting.check(value)
        if problem:
            errors[key] = problem
        else:
            values[key] = value
    merged = {**base, **values}
    if ("booking_max_days_ahead" not in errors and "booking_min_notice_hours" not in errors
            and merged["booking_min_notice_hours"] >= merged["booking_max_days_ahead"] * 24):
        errors["booking_max_days_ahead"] = "最多提前预约的时间要比最少提前预约的时间长。"
    if errors:
        raise ValidationFailed("settings.invalid", "填写的设置有误，请按提示修改。",
                               details=errors)
    return values


def update(staff: StaffUser, changes: dict[str, object]) -> list[str]:
    """Save the office's changes (all or none); the keys that really changed."""
    if staff.role != ADMIN_ROLE:
        raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
    # Compared with and validated against what is stored now, not this request's cached copy.
    before = _effective(_stored(lock=True))
    values = validate(changes, before)
    changed = [key for key, value in values.items() if value != before[key]]
    for key in changed:
        row = db.session.get(TownshipSetting, key)
        if row is None:
            try:
                # The first time anyone sets this key, two saves can both find no row to
                # lock; the one that inserts second is told, not answered with a 500.
                with db.session.begin_nested():
                    db.session.add(TownshipSetting(key=key, value=str(values[key]),
                                                   updated_by=staff.id))
                    db.session.flush()
            except IntegrityError:
                raise Conflict("settings.changed_meanwhile",
                               "其他工作人员刚刚修改了这项设置，请刷新页面后再试。",
                               details={key: "其他工作人员刚刚修改了这项设置，请刷新页面后再试。"}
                               ) from None
        else:
            row.value = str(values[key])
            row.updated_by = staff.id
        record_audit(Actor("staff", str(staff.id)), CHANGED, "township_setting", key,
                     {"key": key, "old": before[key], "new": values[key]})
    db.session.flush()
    unit_cache().pop(_CACHE_KEY, None)
    return changed


# What the settings page lists as its history: its own changes and the quotas and targets it
# edits through their services.
HISTORY_ACTIONS = (CHANGED, "supplies.item_rules", "screening.target")


def history(limit: int = 50) -> list[tuple[AuditLog, str | None]]:
    """The latest changes, newest first, with the name of the staff member who made each."""
    rows = db.session.execute(
        select(AuditLog, StaffUser.display_name)
        .outerjoin(StaffUser, (AuditLog.actor_type == "staff")
                   & (AuditLog.actor_id == cast(StaffUser.id, String)))
        .where(AuditLog.action.in_(HISTORY_ACTIONS))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)).all()
    return [(entry, name) for entry, name in rows]
