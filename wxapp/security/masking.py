"""Masked forms of personal data for lists, logs and public pages."""
from __future__ import annotations

import re

from wxapp.security.identity import fold_digits

# Numbers people type into a question: an ID number (18 or the old 15 digits), a mobile
# number (spaces or dashes allowed), a landline with its area code.
_IDENTIFIERS = [
    # Grouped as on the card (6-8-4) or not; the check character as X, x or full-width.
    (re.compile(r"(?<![0-9])[0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9XxＸｘ](?![0-9A-Za-z])"
                r"|(?<![0-9])[0-9]{15}(?![0-9])"),
     "[身份证号]"),
    (re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"), "[手机号]"),
    (re.compile(r"(?<![0-9])0[0-9]{2,3}[ -]?[0-9]{7,8}(?![0-9])"), "[电话]"),
]


def mask_id_number(id_number: str | None) -> str:
    if not id_number:
        return ""
    value = id_number.strip()
    if len(value) <= 8:
        return "*" * len(value)
    # A fixed run of stars so the masked form does not reveal the length (15 or 18 digits).
    return f"{value[:4]}********{value[-4:]}"


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    name = name.strip()
    if len(name) == 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_text(_text: str | None) -> str:
    """Free-text health notes never appear in lists: only whether there is one."""
    return "（已填写）" if _text else ""


def redact_identifiers(text: str | None) -> str:
    """Free text kept without its author (questions asked of the bot) must not keep the
    ID or phone numbers some residents type into it either."""
    # A number typed in full-width or Arabic-Indic digits is the same number.
    text = fold_digits(text or "")
    for pattern, placeholder in _IDENTIFIERS:
        text = pattern.sub(placeholder, text)
    return text


def mask_identifiers(text: str | None) -> str:
    """Free text staff read in a list or on a page (a resident's message): the numbers she
    typed into it masked as everywhere else, the rest as she wrote it."""
    text = fold_digits(text or "")
    id_pattern, phone_pattern, landline_pattern = (pattern for pattern, _ in _IDENTIFIERS)
    text = id_pattern.sub(lambda m: mask_id_number(re.sub(r"[ -]", "", m.group())), text)
    text = phone_pattern.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group())), text)
    return landline_pattern.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group())), text)
