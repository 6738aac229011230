"""Test data that reads like the residents and staff it stands for. Invented, never real."""
from __future__ import annotations

from wxapp.testing.people import make_id_number

__all__ = ["female_id", "make_id_number", "male_id"]


def female_id(birth="19950302") -> str:
    return make_id_number(birth=birth, sequence="124")


def male_id(birth="19930415") -> str:
    return make_id_number(birth=birth, sequence="123")
