"""Staff passwords: strong argon2 in production, whatever the suite uses for speed."""
from __future__ import annotations

import subprocess
import sys

from argon2 import extract_parameters

from tests.conftest import PROJECT_ROOT
from wxapp.services.accounts import passwords


def test_production_hashes_with_the_strong_profile():
    # A fresh interpreter sees the module as production does: no test switch applied.
    code = ("from wxapp.services.accounts.passwords import hash_password;"
            "print(hash_password('a password'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    params = extract_parameters(out)
    assert params.type.name == "ID"
    assert params.memory_cost >= 64 * 1024
    assert params.time_cost >= 3
    assert params == passwords.STRONG


def test_a_cheap_hash_and_a_strong_hash_both_verify():
    cheap = passwords.hash_password("秘密-123")
    assert passwords.verify_password(cheap, "秘密-123")
    assert not passwords.verify_password(cheap, "秘密-124")
    from argon2 import PasswordHasher

    strong = PasswordHasher.from_parameters(passwords.STRONG).hash("秘密-123")
    assert passwords.verify_password(strong, "秘密-123")
    assert not passwords.verify_password("not a hash", "秘密-123")
