"""Server-side sessions behind bearer tokens.

A token is a signed, time-stamped session id; the session itself lives in Redis, so logging
out or disabling an account takes effect at once instead of when the signature expires. If
Redis loses a session the holder is simply asked to log in again (fail closed).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from wxapp import config
from wxapp.errors import Unauthorized
from wxapp.extensions import get_redis


@dataclass(frozen=True)
class Session:
    kind: str
    sid: str
    subject_id: int
    version: int
    data: dict


def _serializer(kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.settings().secret_key, salt=f"wxapp-session-{kind}")


def _key(kind: str, sid: str) -> str:
    return f"wxapp:session:{kind}:{sid}"


def issue_session(kind: str, subject_id: int, version: int, ttl_seconds: int,
                  data: dict | None = None) -> tuple[str, int]:
    sid = secrets.token_urlsafe(24)
    record = {"sub": subject_id, "v": version, "data": data or {}}
    get_redis().set(_key(kind, sid), json.dumps(record), ex=ttl_seconds)
    return _serializer(kind).dumps({"sid": sid}), ttl_seconds


def resolve_session(kind: str, token: str | None, ttl_seconds: int) -> Session:
    if not token:
        raise Unauthorized("auth.required", "请先登录。")
    try:
        payload = _serializer(kind).loads(token, max_age=ttl_seconds)
    except SignatureExpired:
        raise Unauthorized("auth.token_expired", "登录已过期，请重新进入小程序。")
    except BadSignature:
        raise Unauthorized("auth.token_invalid", "登录凭证无效，请重新登录。")
    sid = payload.get("sid") if isinstance(payload, dict) else None
    raw = get_redis().get(_key(kind, sid)) if sid else None
    if raw is None:
        raise Unauthorized("auth.token_revoked", "登录已失效，请重新登录。")
    record = json.loads(raw)
    return Session(kind, sid, int(record["sub"]), int(record["v"]), record.get("data", {}))


def revoke_session(kind: str, sid: str) -> None:
    get_redis().delete(_key(kind, sid))
