"""Invented people for tests, benchmarks and demos: valid-looking, never real."""
from __future__ import annotations

from wxapp.security.identity import id_check_char


def make_id_number(region="320102", birth="19930415", sequence="123") -> str:
    """A valid 18-digit ID number (sequence's last digit odd = male, even = female)."""
    first17 = f"{region}{birth}{sequence}"
    return first17 + id_check_char(first17)


def couple_body(n: int, village_id: int, hukou_region: str = "320102", **changes) -> dict:
    """The n-th invented couple for the pre-pregnancy check form: distinct ID numbers for up
    to 500 couples."""
    body = {
        "wife": {"name": "王芳", "hukou_region": hukou_region,
                 "id_number": make_id_number(region="320102", birth="19950302",
                                             sequence=f"{(2 * n) % 1000:03d}")},
        "husband": {"name": "李强", "hukou_region": hukou_region,
                    "id_number": make_id_number(region="320102", birth="19930415",
                                                sequence=f"{(2 * n + 1) % 1000:03d}")},
        "village_id": village_id, "child_order": 1,
    }
    body.update(changes)
    return body
