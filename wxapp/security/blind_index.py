"""Keyed blind indexes for exact look-ups of encrypted values.

An 18-digit ID number has little entropy (region, birth date, sequence, check digit): a
plain hash could be reversed by enumeration in minutes, so the index is an HMAC with a secret
key. The key is derived per *kind* of value (ID numbers, phone numbers), not per column: one
person must be found by the same index in every table, so that quotas, doctors' guidance and
duplicate checks span the mini-program, the cabinets and registrations. Callers therefore
name no column; ``id_number_index`` and ``phone_index`` are the only ways to index a person.
"""
from __future__ import annotations

import hashlib
import hmac

from wxapp.security.identity import ascii_digits, normalise_id_number

_index_key: bytes | None = None

# The derivation labels. They are part of every stored index: changing one needs a
# migration that re-keys the rows (see migrations/versions/0015_one_key_per_person.py).
ID_NUMBER_KIND = "id_number"
PHONE_KIND = "phone"


def configure_blind_index_key(secret: str) -> None:
    global _index_key
    _index_key = hashlib.sha256(b"wxapp-blind-index\x00" + secret.encode("utf-8")).digest()


def _kind_key(kind: str) -> bytes:
    if _index_key is None:
        raise RuntimeError("the blind index key is not configured (create_app first)")
    return hmac.new(_index_key, b"column\x00" + kind.encode("utf-8"), hashlib.sha256).digest()


def blind_index(value: str, kind: str) -> str:
    """The keyed hash of an already normalised value. Prefer the per-kind helpers below; this
    is for values that are not a person's number (a couple's pair of IDs)."""
    return hmac.new(_kind_key(kind), value.encode("utf-8"), hashlib.sha256).hexdigest()


def id_number_index(id_number: str) -> str:
    return blind_index(normalise_id_number(id_number), ID_NUMBER_KIND)


def normalise_phone(phone: str) -> str:
    """ASCII digits only, whatever digit script the phone number was typed in."""
    return "".join(ch for ch in ascii_digits(phone) if ch in "0123456789")


def phone_index(phone: str) -> str:
    return blind_index(normalise_phone(phone), PHONE_KIND)
