"""Validators for the 18-digit resident ID number (GB 11643-1999) and mainland mobile numbers.

Each returns the normalised value or raises ``InvalidIdentity`` with a Chinese message that a
resident can act on.

Invariant: a normalised number holds ASCII digits only (and an upper-case ``X`` as an ID
number's check character). A regex digit class and ``int()`` accept the digits of every
script (Arabic-Indic ``٣٢٠١``, Devanagari, full-width ...), so without this one person typed
in two scripts would be two blind-index keys: two open registrations, no conflict flag, two
quotas. Every place that takes a number goes through ``ascii_digits``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from wxapp.china_time import china_today

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Province-level codes in use (first two digits of the region code).
_PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
# [0-9], not \d: only ASCII digits may pass (see the invariant above).
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
_REGION_SHAPE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")
# Longer than any way of typing a number with spaces; refused before any other work.
_MAX_TYPED_LENGTH = 64


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


def fold_digits(text: str) -> str:
    """``text`` with every decimal digit of any script (full-width, Arabic-Indic,
    Devanagari, ...) as its ASCII digit, and nothing else changed: for free text such as a
    question, where a number must be recognised but the words kept as typed."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def ascii_digits(raw: str) -> str:
    """A typed number with every digit, in any script, as its ASCII digit.

    NFKC first folds full-width and other compatibility forms (``３``, ``Ｘ``, ideographic
    spaces); what is still a decimal digit after that (Arabic-Indic, Devanagari, ...) becomes
    its ASCII value. Anything else is left as it is, for the shape checks to refuse.
    """
    return fold_digits(unicodedata.normalize("NFKC", raw or ""))


def _typed(raw: str) -> str:
    if not isinstance(raw, str):
        return ""
    return raw if len(raw) <= _MAX_TYPED_LENGTH else ""


def normalise_id_number(raw: str) -> str:
    # Residents type a lowercase x, full-width digits or spaces from a copied card photo.
    text = ascii_digits(_typed(raw))
    return "".join(text.split()).upper()


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=False))
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    value = normalise_id_number(raw)
    if not _ID_SHAPE.fullmatch(value):
        raise InvalidIdentity("id_number.format", "身份证号码应为18位，最后一位可以是数字或X。")
    province_only = value[2:6] == "0000" and value[:2] not in {"71", "81", "82"}
    if value[:2] not in _PROVINCE_CODES or province_only:
        raise InvalidIdentity("id_number.region", "身份证号码前6位地区码不正确，请核对。")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdentity("id_number.birth_date",
                              "身份证号码中的出生日期不存在，请核对。") from exc
    today = today or china_today()
    if birth > today or birth.year < 1900:
        raise InvalidIdentity("id_number.birth_date", "身份证号码中的出生日期不正确，请核对。")
    if id_check_char(value[:17]) != value[17]:
        raise InvalidIdentity("id_number.check_digit", "身份证号码校验位不正确，请逐位核对。")
    sex = "male" if int(value[16]) % 2 == 1 else "female"
    return IdNumber(value=value, region_code=value[:6], birth_date=birth, sex=sex)


def normalise_mobile(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", ascii_digits(_typed(raw)))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE_SHAPE.fullmatch(digits):
        raise InvalidIdentity("phone.format", "请填写11位中国大陆手机号码。")
    return digits


def normalise_region_code(raw: str) -> str:
    """A 6-, 9- or 12-digit administrative division code (县 / 乡镇 / 村), ASCII digits."""
    code = ascii_digits(_typed(raw)).strip()
    if not _REGION_SHAPE.fullmatch(code):
        raise InvalidIdentity("region.format", "请从列表中选择户籍所在地。")
    return code
