"""``Idempotency-Key`` for create endpoints.

The stored answer is written in the same transaction as the thing it created, under a unique
(scope, key) constraint: a retry after a lost response gets the first answer, two concurrent
retries produce one write, and the same key with a different body is a client bug (409).
"""
from __future__ import annotations

import hashlib
import re
from functools import wraps

from flask import g, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wxapp.errors import Conflict, ValidationFailed
from wxapp.extensions import db
from wxapp.models import IdempotencyRecord
from wxapp.transactions import commit, rollback
from wxapp.web.openapi import document_idempotency

HEADER = "Idempotency-Key"
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def _scope() -> str:
    if getattr(g, "resident", None) is not None:
        return f"resident:{g.resident.id}"
    if getattr(g, "staff", None) is not None:
        return f"staff:{g.staff.id}"
    if getattr(g, "device", None) is not None:
        return f"device:{g.device.id}"
    return "anonymous"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode("utf-8") + b"\x00")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _find(scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalars(
        select(IdempotencyRecord).filter_by(scope=scope, key=key)
    ).first()


def _replay(record: IdempotencyRecord, fingerprint: str):
    if record.request_fingerprint != fingerprint:
        raise Conflict("idempotency.key_reused",
                       "该请求编号已用于另一次不同的提交，请刷新页面后重试。")
    response = make_response(record.response_body, record.status_code)
    response.mimetype = "application/json"
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY_SHAPE.match(key):
            raise ValidationFailed("idempotency.key_invalid",
                                   "请求编号格式不正确。",
                                   details={HEADER: "8-128 个字母、数字或 ._:- 字符"})
        scope, fingerprint = _scope(), _fingerprint()
        existing = _find(scope, key)
        if existing is not None:
            return _replay(existing, fingerprint)
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 400:
            # Failures are not remembered: the resident may fix the input and retry the key.
            return response
        db.session.add(IdempotencyRecord(
            scope=scope, key=key, request_fingerprint=fingerprint,
            status_code=response.status_code, response_body=response.get_data(as_text=True),
        ))
        try:
            commit()
        except IntegrityError:
            # A concurrent twin committed first; our write is rolled back with this record.
            rollback()
            winner = _find(scope, key)
            if winner is None:
                raise
            return _replay(winner, fingerprint)
        response.headers["Idempotent-Replayed"] = "false"
        return response

    return document_idempotency(wrapper)
