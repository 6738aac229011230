"""How a cabinet signs a call: HMAC-SHA256 with its secret over method, path, timestamp, nonce
and a SHA-256 of the body, one per line. Cabinets (and cabinet_sim) sign; the API verifies."""
from __future__ import annotations

import hashlib
import hmac

KEY_HEADER = "X-Device-Key"
TIMESTAMP_HEADER = "X-Device-Timestamp"
NONCE_HEADER = "X-Device-Nonce"
SIGNATURE_HEADER = "X-Device-Signature"


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce,
                      hashlib.sha256(body).hexdigest()]).encode("utf-8")


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), string_to_sign(method, path, timestamp, nonce, body),
                    hashlib.sha256).hexdigest()


def signed_headers(key_id: str, secret: str, method: str, path: str, body: bytes, *,
                   timestamp: int, nonce: str) -> dict[str, str]:
    return {KEY_HEADER: key_id, TIMESTAMP_HEADER: str(timestamp), NONCE_HEADER: nonce,
            SIGNATURE_HEADER: sign(secret, method, path, str(timestamp), nonce, body),
            "Content-Type": "application/json"}
