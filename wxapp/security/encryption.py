"""AES-GCM encryption of columns that hold personal data.

Stored form: ``v1:<key id>:<base64(nonce || ciphertext+tag)>``. The key id lets old rows stay
readable while a new key is introduced; ``rotate`` re-encrypts them. The associated data is
the ``table.column`` the value belongs to, so a ciphertext copied into another column (say an
ID number pasted into a notes field) fails to decrypt instead of leaking.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

FORMAT_VERSION = "v1"


class DecryptionError(RuntimeError):
    pass


def _decode_key(raw: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ValueError("an encryption key must be base64") from exc
    if len(key) != 32:
        raise ValueError("an encryption key must be 32 bytes (base64 of 32 random bytes)")
    return key


def parse_key_spec(spec: str) -> tuple[str, bytes]:
    """``"kid:base64"`` or plain ``"base64"`` (the key id is then derived from the key)."""
    spec = spec.strip()
    if ":" in spec:
        key_id, raw = spec.split(":", 1)
        return key_id, _decode_key(raw)
    key = _decode_key(spec)
    return hashlib.sha256(key).hexdigest()[:8], key


@dataclass
class Keyring:
    primary_id: str
    keys: dict[str, bytes]

    @classmethod
    def from_settings(cls, primary_spec: str, old_specs: str = "") -> Keyring:
        primary_id, primary = parse_key_spec(primary_spec)
        keys = {primary_id: primary}
        for spec in filter(None, (s.strip() for s in old_specs.split(","))):
            key_id, key = parse_key_spec(spec)
            keys.setdefault(key_id, key)
        return cls(primary_id, keys)

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.primary_id]).encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        payload = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{FORMAT_VERSION}:{self.primary_id}:{payload}"

    def decrypt(self, stored: str, context: str) -> str:
        try:
            version, key_id, payload = stored.split(":", 2)
        except ValueError as exc:
            raise DecryptionError("not an encrypted value") from exc
        if version != FORMAT_VERSION:
            raise DecryptionError(f"unknown format {version!r}")
        key = self.keys.get(key_id)
        if key is None:
            raise DecryptionError(f"no key with id {key_id!r} is configured")
        blob = base64.b64decode(payload)
        try:
            plain = AESGCM(key).decrypt(blob[:12], blob[12:], context.encode("utf-8"))
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not match its key or column") from exc
        return plain.decode("utf-8")

    def encrypt_bytes(self, plaintext: bytes, context: str) -> bytes:
        """Files: ``key id`` + NUL + nonce + ciphertext, bound to ``context``."""
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.primary_id]).encrypt(nonce, plaintext,
                                                            context.encode("utf-8"))
        return self.primary_id.encode("ascii") + b"\x00" + nonce + sealed

    def decrypt_bytes(self, stored: bytes, context: str) -> bytes:
        key_id, _, blob = stored.partition(b"\x00")
        key = self.keys.get(key_id.decode("ascii", "replace"))
        if key is None:
            raise DecryptionError("no key with that id is configured")
        try:
            return AESGCM(key).decrypt(blob[:12], blob[12:], context.encode("utf-8"))
        except InvalidTag as exc:
            raise DecryptionError("file does not match its key or name") from exc

    @staticmethod
    def key_id_of(stored: str) -> str | None:
        parts = stored.split(":", 2)
        return parts[1] if len(parts) == 3 else None


_keyring: Keyring | None = None


def configure_keyring(keyring: Keyring) -> None:
    # Column types are created at import time, before any app exists; they look the keyring
    # up when a value crosses the database boundary.
    global _keyring
    _keyring = keyring


def get_keyring() -> Keyring:
    if _keyring is None:
        raise RuntimeError("the data encryption keyring is not configured (create_app first)")
    return _keyring


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; ``context`` must be ``"table.column"``."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str, *args, **kwargs):
        if "." not in context:
            raise ValueError("context must be 'table.column'")
        self.context = context
        super().__init__(*args, **kwargs)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return get_keyring().encrypt(str(value), self.context)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return get_keyring().decrypt(value, self.context)
