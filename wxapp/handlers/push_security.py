"""Checks on every push from WeChat's servers: signature, freshness, size and XML safety."""
from __future__ import annotations

import hashlib
import hmac
import time
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class RejectedPush(Exception):
    def __init__(self, status: int, reason: str):
        self.status = status
        self.reason = reason
        super().__init__(reason)


def sha1_of_sorted(*parts: str) -> str:
    # WeChat signs the lexicographically sorted parts, concatenated, with SHA-1.
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str | None, timestamp: str | None,
                    nonce: str | None, *extra: str) -> None:
    if not (signature and timestamp and nonce):
        raise RejectedPush(403, "missing signature parameters")
    expected = sha1_of_sorted(token, timestamp, nonce, *extra)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise RejectedPush(403, "bad signature")


def check_fresh(timestamp: str | None, window_seconds: int, now: float | None = None) -> None:
    try:
        sent_at = int(timestamp or "")
    except ValueError:
        raise RejectedPush(403, "timestamp is not a number")
    now = time.time() if now is None else now
    if abs(now - sent_at) > window_seconds:
        raise RejectedPush(403, "timestamp outside the accepted window")


def parse_safe_xml(body: bytes) -> Element:
    """Parse a push, refusing DTDs and entities (billion laughs, external entities)."""
    if not body.strip():
        raise RejectedPush(400, "empty body")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise RejectedPush(400, "hostile XML")
    except Exception:  # ParseError and friends: malformed XML is the sender's problem
        raise RejectedPush(400, "malformed XML")
    if root.tag != "xml":
        raise RejectedPush(400, "unexpected root element")
    return root


def field(root: Element, name: str) -> str | None:
    node = root.find(name)
    return None if node is None else (node.text or "")


def remember_nonce(redis_client, timestamp: str, nonce: str, body: bytes,
                   window_seconds: int) -> None:
    """Refuse a second push under one signed timestamp + nonce with another body.

    A plaintext push's signature covers only token, timestamp and nonce, so a captured query
    could carry any body for as long as its timestamp is fresh. The nonce is remembered with
    a digest of the body for that whole window (the timestamp may lie up to the window on
    either side of now): a network retry of the very same request passes on to the dedupe,
    which answers it once, while a different body under the same signature is refused.
    """
    digest = hashlib.sha256(body).hexdigest().encode()
    key = f"wxapp:wx:nonce:{timestamp}:{nonce}"
    if redis_client.set(key, digest, nx=True, ex=2 * window_seconds + 60):
        return
    if redis_client.get(key) != digest:
        raise RejectedPush(403, "timestamp and nonce already used for another push")
