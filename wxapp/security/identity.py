"""Validators for the 18-digit resident ID number (GB 11643-1999) and mainland mobile numbers.

Each returns the normalised value or raises ``InvalidIdentity`` with a Chinese message that a
resident can act on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Province-level codes in use (first two digits of the region code).
_PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


class InvalidIdentity(ValueError):
    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class IdNumber:
    value: str
    region_code: str
    birth_date: date
    sex: str  # "male" / "female"


def normalise_id_number(raw: str) -> str:
    # Residents type a lowercase x, full-width digits or spaces from a copied card photo.
    text = (raw or "").strip().translate(
        str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
    )
    return text.replace(" ", "").upper()


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=False))
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    value = normalise_id_number(raw)
    if not _ID_SHAPE.match(value):
        raise InvalidIdentity("id_number.format", "身份证号码应为18位，最后一位可以是数字或X。")
    province_only = value[2:6] == "0000" and value[:2] not in {"71", "81", "82"}
    if value[:2] not in _PROVINCE_CODES or province_only:
        raise InvalidIdentity("id_number.region", "身份证号码前6位地区码不正确，请核对。")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdentity("id_number.birth_date",
                              "身份证号码中的出生日期不存在，请核对。") from exc
    today = today or date.today()
    if birth > today or birth.year < 1900:
        raise InvalidIdentity("id_number.birth_date", "身份证号码中的出生日期不正确，请核对。")
    if id_check_char(value[:17]) != value[17]:
        raise InvalidIdentity("id_number.check_digit", "身份证号码校验位不正确，请逐位核对。")
    sex = "male" if int(value[16]) % 2 == 1 else "female"
    return IdNumber(value=value, region_code=value[:6], birth_date=birth, sex=sex)


def normalise_mobile(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", (raw or "").strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE_SHAPE.match(digits):
        raise InvalidIdentity("phone.format", "请填写11位中国大陆手机号码。")
    return digits
