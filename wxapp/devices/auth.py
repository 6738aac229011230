"""Verifying a cabinet's signed call: known key, fresh timestamp, right signature, new nonce.

The nonce is remembered in Redis only after the signature checks out, so that nobody without
the key can fill Redis; it is kept for twice the window, which covers a clock either side.
A worker keeps each cabinet's decrypted secret for CREDENTIAL_TTL seconds: cabinets call
often, and a disabled cabinet is refused within that time.
"""
from __future__ import annotations

import hmac
import time
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import select

from wxapp.devices.signing import KEY_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from wxapp.errors import DomainError, Unauthorized
from wxapp.extensions import db, get_redis
from wxapp.models import SupplyPoint
from wxapp.web.openapi import DEVICE, document_auth


def _refuse(code: str, message: str = "设备认证失败。") -> Unauthorized:
    return Unauthorized(code, message)


CREDENTIAL_TTL = 60.0


def _credentials(key_id: str) -> tuple[int, str] | None:
    """(point id, secret) of an active cabinet's key, from this worker's cache or the
    database."""
    cache = current_app.extensions.setdefault("wxapp_device_credentials", {})
    hit = cache.get(key_id)
    if hit is not None and time.monotonic() - hit[2] < CREDENTIAL_TTL:
        return hit[0], hit[1]
    row = db.session.execute(select(SupplyPoint.id, SupplyPoint.device_secret).filter_by(
        device_key_id=key_id, active=True)).first()
    if row is None or not row[1]:
        cache.pop(key_id, None)
        return None
    cache[key_id] = (row[0], row[1], time.monotonic())
    return row[0], row[1]


def _printable_ascii(value: str) -> bool:
    return value.isascii() and value.isprintable()


def verify_device_request() -> int:
    """The id of the point whose cabinet signed this request."""
    key_id = request.headers.get(KEY_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    nonce = request.headers.get(NONCE_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    # Headers arrive as Latin-1: a non-ASCII signature made hmac.compare_digest raise
    # TypeError, and "²" passes str.isdigit() but not int(). Only printable ASCII is a header
    # a cabinet can have sent.
    if not all(_printable_ascii(v) for v in (key_id, timestamp, nonce, signature)):
        raise DomainError("device.malformed_signature", "设备签名格式不正确。", status=401)
    if not (key_id and timestamp.isdigit() and len(timestamp) <= 12 and 8 <= len(nonce) <= 64
            and signature):
        raise DomainError("device.missing_signature", "缺少设备签名。", status=401)
    window = current_app.config["WXAPP"].device_timestamp_window_seconds
    if abs(time.time() - int(timestamp)) > window:
        raise _refuse("device.stale_timestamp", "设备时间与服务器相差太多，请校准时间。")
    known = _credentials(key_id)
    expected = sign(known[1], request.method, request.path, timestamp, nonce,
                    request.get_data()) if known else ""
    # Compared even for an unknown key, so timing does not tell which keys exist.
    if not hmac.compare_digest(expected or "0" * 64, signature) or known is None:
        raise _refuse("device.bad_signature")
    if not get_redis().set(f"device-nonce:{key_id}:{nonce}", 1, nx=True, ex=2 * window):
        raise _refuse("device.replayed", "重复的请求。")
    return known[0]


def device_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.device_point_id = verify_device_request()
        return view(*args, **kwargs)

    return document_auth(wrapper, DEVICE)
