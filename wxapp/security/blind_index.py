"""Keyed blind indexes for exact look-ups of encrypted values.

An 18-digit ID number has little entropy (region, birth date, sequence, check digit): a
plain hash could be reversed by enumeration in minutes, so the index is an HMAC with a secret
key, derived per column so that equal values in two columns do not link.
"""
from __future__ import annotations

import hashlib
import hmac

from wxapp.security.identity import ascii_digits, normalise_id_number

_index_key: bytes | None = None


def configure_blind_index_key(secret: str) -> None:
    global _index_key
    _index_key = hashlib.sha256(b"wxapp-blind-index\x00" + secret.encode("utf-8")).digest()


def _column_key(column: str) -> bytes:
    if _index_key is None:
        raise RuntimeError("the blind index key is not configured (create_app first)")
    return hmac.new(_index_key, b"column\x00" + column.encode("utf-8"), hashlib.sha256).digest()


def blind_index(value: str, column: str) -> str:
    return hmac.new(_column_key(column), value.encode("utf-8"), hashlib.sha256).hexdigest()


def id_number_index(id_number: str, column: str = "id_number") -> str:
    return blind_index(normalise_id_number(id_number), column)


def phone_index(phone: str, column: str = "phone") -> str:
    return blind_index("".join(ch for ch in ascii_digits(phone) if ch in "0123456789"), column)
