"""What a birth registration must satisfy, checked all at once so that the resident sees every
problem together, each in Chinese next to its field."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from wxapp.china_time import china_today
from wxapp.errors import ValidationFailed
from wxapp.security.identity import (
    InvalidIdentity,
    normalise_mobile,
    normalise_region_code,
    parse_id_number,
)

ROLES = ("mother", "father")
PREGNANCY_STATUSES = ("planning", "pregnant", "born")
# Whose child an existing child is: the couple's, or one spouse's from before.
CHILD_RELATIONS = ("both", "mother_only", "father_only")
MOTHER_AGE = (16, 55)
FATHER_AGE = (18, 80)
MAX_PREGNANCY_DAYS = 300
# Registration after the birth (补登) is accepted for children up to six years old.
LATE_REGISTRATION_DAYS = 6 * 366


MARITAL_STATUSES = {"first_marriage": "初婚", "remarried": "再婚", "unmarried": "未婚",
                    "divorced": "离异", "widowed": "丧偶"}


@dataclass(frozen=True)
class Parent:
    name: str
    id_number: str
    phone: str | None
    hukou_region: str
    birth_date: date
    marital_status: str


@dataclass(frozen=True)
class CleanRegistration:
    filer_role: str
    mother: Parent
    father: Parent
    marriage_date: date | None
    pregnancy_status: str
    expected_or_birth_date: date | None
    existing_children: list[dict]
    child_order: int
    village_id: int
    document_ids: list[int]
    promised_documents: list[str]


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _parse_date(value, field: str, problems: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems[field] = "日期格式应为 年-月-日，例如 2026-03-01。"
        return None


def child_order_of(children: list[dict]) -> int:
    """Only the couple's own living children together count: not adopted children, not
    children who died, not children from an earlier marriage."""
    own = [c for c in children if c.get("relation") == "both" and c.get("alive", True)
           and not c.get("adopted", False)]
    return len(own) + 1


def parse_parent(data: dict, role: str, sex: str, ages: tuple[int, int], today: date,
            problems: dict, phone_required: bool) -> Parent | None:
    prefix = role
    data = data or {}
    name = (data.get("name") or "").strip()
    if not 2 <= len(name) <= 20:
        problems[f"{prefix}.name"] = "请填写2到20个字的姓名。"
    parsed = None
    try:
        parsed = parse_id_number(data.get("id_number") or "", today=today)
    except InvalidIdentity as exc:
        problems[f"{prefix}.id_number"] = exc.message
    if parsed is not None:
        if parsed.sex != sex:
            problems[f"{prefix}.id_number"] = (
                "该身份证号码显示为男性，请核对女方身份证号码。" if sex == "female"
                else "该身份证号码显示为女性，请核对男方身份证号码。")
        elif not ages[0] <= _age_on(parsed.birth_date, today) <= ages[1]:
            problems[f"{prefix}.id_number"] = "按身份证号码计算的年龄不在合理范围，请核对。"
    phone = None
    if data.get("phone") or phone_required:
        try:
            phone = normalise_mobile(data.get("phone") or "")
        except InvalidIdentity as exc:
            problems[f"{prefix}.phone"] = exc.message
    region = ""
    try:
        region = normalise_region_code(str(data.get("hukou_region") or ""))
    except InvalidIdentity as exc:
        problems[f"{prefix}.hukou_region"] = exc.message
    marital = data.get("marital_status") or "first_marriage"
    if marital not in MARITAL_STATUSES:
        problems[f"{prefix}.marital_status"] = "请选择婚姻状况：初婚、再婚、未婚、离异或丧偶。"
    if parsed is None or f"{prefix}.name" in problems:
        return None
    return Parent(name, parsed.value, phone, region, parsed.birth_date, marital)


def required_documents(requires_marriage_date: bool) -> tuple[str, ...]:
    base = ("mother_id_card", "father_id_card", "hukou_page")
    return (*base, "marriage_certificate") if requires_marriage_date else base


DOCUMENT_LABELS = {"mother_id_card": "女方身份证", "father_id_card": "男方身份证",
                   "hukou_page": "户口簿", "marriage_certificate": "结婚证"}


def validate_registration(data: dict, *, requires_marriage_date: bool,
                          village_ids: set[int], uploaded_kinds: dict[int, str] | None = None,
                          originals_seen: bool = False, today: date | None = None
                          ) -> CleanRegistration:
    """``uploaded_kinds``: the resident's own uploads, id -> kind; ``originals_seen``: staff
    filing on the resident's behalf have checked the paper documents."""
    today = today or china_today()
    problems: dict[str, str] = {}
    role = data.get("filer_role")
    if role not in ROLES:
        problems["filer_role"] = "请选择填报人是女方还是男方。"
    mother = parse_parent(data.get("mother"), "mother", "female", MOTHER_AGE, today, problems,
                     phone_required=role == "mother")
    father = parse_parent(data.get("father"), "father", "male", FATHER_AGE, today, problems,
                     phone_required=role == "father")
    if mother and father and mother.id_number == father.id_number:
        problems["father.id_number"] = "男女双方不能是同一个人，请核对身份证号码。"

    marriage_date = _parse_date(data.get("marriage_date"), "marriage_date", problems)
    if marriage_date is None and requires_marriage_date and "marriage_date" not in problems:
        problems["marriage_date"] = "请填写结婚登记日期。"
    if marriage_date and marriage_date > today:
        problems["marriage_date"] = "结婚日期不能晚于今天。"

    status = data.get("pregnancy_status")
    if status not in PREGNANCY_STATUSES:
        problems["pregnancy_status"] = "请选择：计划怀孕、已怀孕或已生育。"
    when = _parse_date(data.get("expected_or_birth_date"), "expected_or_birth_date", problems)
    if "expected_or_birth_date" not in problems:
        if status == "pregnant" and not (when and today <= when <= today + timedelta(
                days=MAX_PREGNANCY_DAYS)):
            problems["expected_or_birth_date"] = "请填写今天以后、10个月以内的预产期。"
        elif status == "born" and not (when and today - timedelta(
                days=LATE_REGISTRATION_DAYS) <= when <= today):
            problems["expected_or_birth_date"] = "请填写孩子的出生日期（不晚于今天）。"
        elif status == "planning" and when is not None:
            problems["expected_or_birth_date"] = "计划怀孕时不用填写日期。"

    children = data.get("existing_children") or []
    clean_children = []
    if not isinstance(children, list) or len(children) > 10:
        problems["existing_children"] = "现有子女信息格式不正确。"
        children = []
    for number, child in enumerate(children, start=1):
        field = f"existing_children.{number}"
        birth = _parse_date((child or {}).get("birth_date"), field, problems)
        relation = (child or {}).get("relation")
        if relation not in CHILD_RELATIONS:
            problems[field] = "请选择孩子是夫妻共同子女还是一方的子女。"
        elif birth is None and field not in problems:
            problems[field] = "请填写孩子的出生日期。"
        elif birth and (birth > today or (mother and relation != "father_only"
                                          and _age_on(mother.birth_date, birth) < 14)):
            problems[field] = "孩子的出生日期不合理，请核对。"
        else:
            clean_children.append({"birth_date": birth.isoformat() if birth else None,
                                   "relation": relation,
                                   "alive": bool(child.get("alive", True)),
                                   "adopted": bool(child.get("adopted", False))})

    village_id = data.get("village_id")
    if village_id not in village_ids:
        problems["village_id"] = "请从列表中选择登记地（村/社区）。"

    uploaded_kinds = uploaded_kinds or {}
    document_ids = [d for d in (data.get("documents") or []) if isinstance(d, int)]
    unknown = [d for d in document_ids if d not in uploaded_kinds]
    if unknown:
        problems["documents"] = "有材料没有找到，请重新上传。"
    promised = [p for p in (data.get("promised_documents") or []) if isinstance(p, str)]
    have = {uploaded_kinds[d] for d in document_ids if d in uploaded_kinds} | set(promised)
    missing = [k for k in required_documents(requires_marriage_date) if k not in have]
    if missing and not originals_seen:
        problems["documents"] = ("请上传" + "、".join(DOCUMENT_LABELS[k] for k in missing)
                                 + "，暂时没有的可以选择“承诺后补”。")

    if problems:
        raise ValidationFailed("registration.invalid", "填写的信息有误，请按提示修改。",
                               details=problems)
    return CleanRegistration(role, mother, father, marriage_date, status, when, clean_children,
                             child_order_of(clean_children), village_id, document_ids,
                             [p for p in promised if p in DOCUMENT_LABELS])
