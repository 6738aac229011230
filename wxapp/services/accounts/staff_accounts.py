"""The township office manages its own staff accounts: add, change role and place, disable
and enable, reset a password.

Invariants: an admin sees and changes only accounts of her own township (anyone else's is
not found), and places staff only in her township's villages and clinics; an account's role
and place always fit together (a village worker has one village, clinic staff one or more
clinics, everyone else neither); disabling or resetting a password ends every open session at
once (the session version); an admin can neither disable nor demote herself, so a township
always keeps the admin who is acting; every change is audited, never with a password in it.
A password exists only as its argon2 hash; a generated one is returned once, to the caller.
"""
from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from wxapp.errors import Conflict, NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models import STAFF_ROLES, Clinic, StaffUser, Village
from wxapp.security.masking import mask_phone
from wxapp.services.accounts.passwords import hash_password
from wxapp.services.audit import Actor, record_audit
from wxapp.sms.provider import is_mainland_mobile

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
USERNAME_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
# No 0/O, 1/l/I: a generated password is read off a screen and typed in by hand.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_PASSWORD_LENGTH = 16
CHANGEABLE = ("display_name", "role", "village_id", "clinic_ids", "phone")


def _actor(admin: StaffUser) -> Actor:
    return Actor("staff", str(admin.id))


def _invalid(code: str, field: str, message: str) -> ValidationFailed:
    return ValidationFailed(code, message, details={field: message})


# -- reading -----------------------------------------------------------------------------------
def list_accounts(admin: StaffUser, role: str | None = None, active: bool | None = None
                  ) -> list[StaffUser]:
    query = select(StaffUser).filter_by(township_id=admin.township_id).order_by(StaffUser.id)
    if role:
        query = query.filter_by(role=role)
    if active is not None:
        query = query.filter_by(active=active)
    found = list(db.session.scalars(query))
    record_audit(_actor(admin), "staff.list", "staff_user", None, {"count": len(found)})
    return found


def account_for_admin(admin: StaffUser, staff_id: int) -> StaffUser:
    account = db.session.scalars(select(StaffUser).filter_by(
        id=staff_id, township_id=admin.township_id)).first()
    if account is None:
        raise NotFound("staff.not_found", "没有找到该员工账号。")
    return account


# -- rules -------------------------------------------------------------------------------------
def check_password(password: str, username: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise _invalid("staff.password_too_short", "password",
                       f"密码至少需要{MIN_PASSWORD_LENGTH}个字符。")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _invalid("staff.password_too_long", "password",
                       f"密码最多{MAX_PASSWORD_LENGTH}个字符。")
    if username and username.lower() in password.lower():
        raise _invalid("staff.password_contains_username", "password", "密码不能包含用户名。")
    if len(set(password)) < 4:
        raise _invalid("staff.password_too_simple", "password", "密码太简单，请换一个。")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid("staff.password_invalid", "password", "密码含有无法识别的字符。") from None
    return password


def generate_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_SHAPE.match(username):
        raise _invalid("staff.username_invalid", "username",
                       "用户名为3-64个字母、数字或 ._- 字符，以字母或数字开头。")
    return username


def _clean_display_name(display_name: str) -> str:
    display_name = (display_name or "").strip()
    if not 1 <= len(display_name) <= 64:
        raise _invalid("staff.display_name_invalid", "display_name", "请填写1-64个字的姓名。")
    return display_name


def _clean_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if not phone:
        return None
    if not is_mainland_mobile(phone):
        raise _invalid("staff.phone_invalid", "phone", "请填写11位手机号码，用于接收工作提醒短信。")
    return phone


def _placement(admin: StaffUser, role: str, village_id: int | None, clinic_ids
               ) -> tuple[Village | None, list[Clinic]]:
    """The village and clinics a role needs, all of the admin's own township."""
    if role not in STAFF_ROLES:
        raise _invalid("staff.role_invalid", "role", "请从给定的角色中选择。")
    clinic_ids = sorted(set(clinic_ids or ()))
    village = None
    if role == "village_worker":
        if village_id is None:
            raise _invalid("staff.village_required", "village_id",
                           "村专干需要选择所在的村（社区）。")
        village = db.session.scalars(select(Village).filter_by(
            id=village_id, township_id=admin.township_id)).first()
        if village is None:
            raise _invalid("staff.village_invalid", "village_id", "请选择本镇的村（社区）。")
    elif village_id is not None:
        raise _invalid("staff.village_not_applicable", "village_id",
                       "只有村专干需要选择村（社区）。")
    clinics: list[Clinic] = []
    if role == "clinic":
        if not clinic_ids:
            raise _invalid("staff.clinics_required", "clinic_ids", "医院人员至少需要选择一家医院。")
        clinics = list(db.session.scalars(select(Clinic).where(
            Clinic.id.in_(clinic_ids), Clinic.township_id == admin.township_id)
            .order_by(Clinic.id)))
        if len(clinics) != len(clinic_ids):
            raise _invalid("staff.clinics_invalid", "clinic_ids", "请选择本镇的医院。")
    elif clinic_ids:
        raise _invalid("staff.clinics_not_applicable", "clinic_ids",
                       "只有医院人员需要选择医院。")
    return village, clinics


def _username_taken(username: str) -> bool:
    # Case-insensitively: "Wang" and "wang" would be two accounts nobody can tell apart.
    return db.session.scalar(select(func.count(StaffUser.id)).where(
        func.lower(StaffUser.username) == username.lower())) > 0


def _taken() -> Conflict:
    return Conflict("staff.username_taken", "该用户名已被使用，请换一个。")


# -- changes -----------------------------------------------------------------------------------
def create_account(admin: StaffUser, *, username: str, display_name: str, role: str,
                   village_id: int | None = None, clinic_ids=(), password: str | None = None,
                   phone: str | None = None) -> tuple[StaffUser, str | None]:
    """Returns the account and the generated password (None when the admin chose one)."""
    username = _clean_username(username)
    display_name = _clean_display_name(display_name)
    phone = _clean_phone(phone)
    village, clinics = _placement(admin, role, village_id, clinic_ids)
    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        check_password(password, username)
    if _username_taken(username):
        raise _taken()
    account = StaffUser(username=username, display_name=display_name, role=role,
                        township_id=admin.township_id,
                        village_id=village.id if village else None,
                        password_hash=hash_password(password), active=True, session_version=1,
                        phone=phone)
    account.clinics = clinics
    try:
        # A concurrent request for the same username loses here, not with a 500.
        with db.session.begin_nested():
            db.session.add(account)
            db.session.flush()
    except IntegrityError:
        raise _taken() from None
    record_audit(_actor(admin), "staff.created", "staff_user", account.id, {
        "username": username, "role": role, "village_id": account.village_id,
        "clinic_ids": [c.id for c in clinics], "password": "generated" if generated else "given"})
    return account, generated


def change_account(admin: StaffUser, staff_id: int, changes: dict) -> StaffUser:
    """Display name, role, village, clinics. A role's place is kept while the role stays and
    dropped with it: a village worker made reviewer loses her village."""
    account = account_for_admin(admin, staff_id)
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValidationFailed("staff.field_unknown", "不认识的字段。",
                               details={name: "不认识的字段。" for name in sorted(unknown)})
    role = changes.get("role", account.role)
    if account.id == admin.id and role != account.role:
        raise Conflict("staff.cannot_change_own_role", "不能修改自己的角色，请由其他管理员操作。")
    keep_place = role == account.role
    village_id = changes.get("village_id", account.village_id if keep_place else None)
    clinic_ids = changes.get("clinic_ids", [c.id for c in account.clinics] if keep_place else [])
    village, clinics = _placement(admin, role, village_id, clinic_ids)
    before = _snapshot(account)
    if "display_name" in changes:
        account.display_name = _clean_display_name(changes["display_name"])
    if "phone" in changes:
        account.phone = _clean_phone(changes["phone"])
    account.role = role
    account.village_id = village.id if village else None
    account.clinics = clinics
    db.session.flush()
    after = _snapshot(account)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        record_audit(_actor(admin), "staff.changed", "staff_user", account.id, changed)
    return account


def _snapshot(account: StaffUser) -> dict:
    # The audit keeps the phone masked: it records that it changed, not the number.
    return {"display_name": account.display_name, "role": account.role,
            "phone": mask_phone(account.phone) if account.phone else None,
            "village_id": account.village_id, "clinic_ids": [c.id for c in account.clinics]}


def set_active(admin: StaffUser, staff_id: int, active: bool) -> StaffUser:
    """Disabling ends the account's sessions at once; doing what is already done changes
    nothing (a retried request is harmless)."""
    account = account_for_admin(admin, staff_id)
    if not active and account.id == admin.id:
        raise Conflict("staff.cannot_disable_self", "不能停用自己的账号。")
    if account.active == active:
        return account
    account.active = active
    if not active:
        account.session_version += 1
    db.session.flush()
    record_audit(_actor(admin), "staff.enabled" if active else "staff.disabled", "staff_user",
                 account.id)
    return account


def reset_password(admin: StaffUser, staff_id: int, password: str | None = None
                   ) -> tuple[StaffUser, str | None]:
    """A new password (given, or generated and returned once); every open session of the
    account ends, since whoever knew the old password may be signed in with it."""
    account = account_for_admin(admin, staff_id)
    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        check_password(password, account.username)
    account.password_hash = hash_password(password)
    account.session_version += 1
    db.session.flush()
    record_audit(_actor(admin), "staff.password_reset", "staff_user", account.id,
                 {"password": "generated" if generated else "given"})
    return account, generated


def placement_choices(admin: StaffUser) -> tuple[list[Village], list[Clinic]]:
    """The villages and clinics an admin may place staff in: her township's, as ``_placement``
    accepts them."""
    villages = list(db.session.scalars(select(Village).filter_by(township_id=admin.township_id)
                                       .order_by(Village.code, Village.id)))
    clinics = list(db.session.scalars(select(Clinic).filter_by(township_id=admin.township_id)
                                      .order_by(Clinic.id)))
    return villages, clinics
