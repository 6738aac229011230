"""Test data that reads like the residents and staff it stands for. Invented, never real."""
from __future__ import annotations

from wxapp.testing.people import make_id_number

__all__ = ["female_id", "make_id_number", "male_id", "registration_form"]


def female_id(birth="19950302") -> str:
    return make_id_number(birth=birth, sequence="124")


def male_id(birth="19930415") -> str:
    return make_id_number(birth=birth, sequence="123")


def registration_form(village_id: int, /, **changes) -> dict:
    """A complete birth registration as a resident would file it; `changes` replace fields."""
    from datetime import timedelta

    from wxapp.china_time import china_today

    data = {
        "filer_role": "mother",
        "mother": {"name": "王芳", "id_number": female_id("19950302"),
                   "phone": "13812345678", "hukou_region": "320102"},
        "father": {"name": "李强", "id_number": male_id("19930415"),
                   "phone": "13987654321", "hukou_region": "320102"},
        "marriage_date": "2020-05-01",
        "pregnancy_status": "pregnant",
        "expected_or_birth_date": (china_today() + timedelta(days=120)).isoformat(),
        "existing_children": [{"birth_date": "2021-08-08", "relation": "both"}],
        "village_id": village_id,
        # Signed promises stand in for the documents (承诺制); uploads are tested apart.
        "promised_documents": ["mother_id_card", "father_id_card", "hukou_page"],
    }
    data.update(changes)
    return data
