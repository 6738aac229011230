"""Test data that reads like the residents and staff it stands for. Invented, never real."""
from __future__ import annotations

from wxapp.security.identity import id_check_char


def make_id_number(region="320102", birth="19930415", sequence="123") -> str:
    """A valid 18-digit ID number (sequence's last digit odd = male, even = female)."""
    first17 = f"{region}{birth}{sequence}"
    return first17 + id_check_char(first17)


def female_id(birth="19950302") -> str:
    return make_id_number(birth=birth, sequence="124")


def male_id(birth="19930415") -> str:
    return make_id_number(birth=birth, sequence="123")
