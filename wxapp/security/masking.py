"""Masked forms of personal data for lists, logs and public pages."""
from __future__ import annotations


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
