"""Verifying a cabinet's signed call: known key, fresh timestamp, right signature, new nonce.

The nonce is remembered in Redis only after the signature checks out, so that nobody without
the key can fill Redis; it is kept for twice the window, which covers a clock either side.
"""
from __future__ import annotations

import hmac
import time
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import select

from wxapp.devices.signing import (KEY_HEADER, NONCE_HEADER, SIGNATURE_HEADER,
                                   TIMESTAMP_HEADER, sign)
from wxapp.errors import DomainError, Unauthorized
from wxapp.extensions import db, get_redis
from wxapp.models import SupplyPoint


def _refuse(code: str, message: str = "设备认证失败。") -> Unauthorized:
    return Unauthorized(code, message)


def verify_device_request() -> SupplyPoint:
    key_id = request.headers.get(KEY_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    nonce = request.headers.get(NONCE_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not (key_id and timestamp.isdigit() and 8 <= len(nonce) <= 64 and signature):
        raise DomainError("device.missing_signature", "缺少设备签名。", status=401)
    window = current_app.config["WXAPP"].device_timestamp_window_seconds
    if abs(time.time() - int(timestamp)) > window:
        raise _refuse("device.stale_timestamp", "设备时间与服务器相差太多，请校准时间。")
    point = db.session.scalars(select(SupplyPoint).filter_by(device_key_id=key_id,
                                                             active=True)).first()
    expected = sign(point.device_secret, request.method, request.path, timestamp, nonce,
                    request.get_data()) if point is not None and point.device_secret else ""
    # Compared even for an unknown key, so timing does not tell which keys exist.
    if not hmac.compare_digest(expected or "0" * 64, signature) or point is None:
        raise _refuse("device.bad_signature")
    if not get_redis().set(f"device-nonce:{key_id}:{nonce}", 1, nx=True, ex=2 * window):
        raise _refuse("device.replayed", "重复的请求。")
    return point


def device_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.device_point = verify_device_request()
        return view(*args, **kwargs)

    return wrapper
