"""Staff passwords, hashed with argon2id.

Production hashes with RFC 9106's low-memory profile (argon2-cffi's default: 64 MiB, three
passes). The test suite switches to the cheapest profile, since a strong hash takes about half
a second on a busy two-core machine and fixtures create several staff per test. Verifying
reads the parameters from the stored hash, so a hash of either profile verifies anywhere."""
from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

STRONG = profiles.RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(STRONG)
_dummy_hash: str | None = None


def use_cheap_hashing_for_tests() -> None:
    global _hasher, _dummy_hash
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_against_nobody(password: str) -> None:
    """Spend the time a real verification takes, so that the response time does not tell
    which usernames exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("not-a-real-password")
    verify_password(_dummy_hash, password)
