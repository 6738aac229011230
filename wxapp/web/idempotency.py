"""``Idempotency-Key`` for create endpoints.

Invariant: one (scope, key) is answered by one execution of the view, and every request that
carries it within ``idempotency_ttl_hours`` gets that execution's answer (or a 409 when its
body differs). How:

- The key is claimed before the view runs: a row inserted under the unique (scope, key)
  constraint in the request's own transaction, so the view's writes and the stored answer
  commit together. The uncommitted row is a lock on scope + key: a concurrent twin's insert
  waits on the unique index (at most ``idempotency_wait_seconds``) until the first request
  commits (the twin then replays the stored answer) or rolls back (the twin runs the view
  itself). A worker that dies mid-request rolls its claim back with everything else; there
  is no pending row to go stale.
- A request that fails (4xx/5xx) is not remembered: its claim rolls back with its writes and
  the resident may fix the input and send the key again.
- Stored answers hold personal data (a registration's ID numbers), so they are encrypted with
  the data key (bound to ``idempotency_records.response_body``) and kept 24 hours: an older
  record is treated as absent and ``jobs daily`` deletes it.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from functools import wraps

from flask import g, make_response, request
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from wxapp.config import settings
from wxapp.errors import Conflict, ValidationFailed
from wxapp.extensions import db
from wxapp.models import IdempotencyRecord
from wxapp.models.base import utcnow
from wxapp.transactions import commit, rollback
from wxapp.web.openapi import document_idempotency

HEADER = "Idempotency-Key"
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def _scope() -> str:
    if getattr(g, "resident", None) is not None:
        return f"resident:{g.resident.id}"
    if getattr(g, "staff", None) is not None:
        return f"staff:{g.staff.id}"
    return "anonymous"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode("utf-8") + b"\x00")
    if request.mimetype == "multipart/form-data":
        # Each retry of an upload is framed with a new random boundary: compare what was sent.
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"{name}={value}".encode() + b"\x00")
        for name, file in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            digest.update(f"{name}:{file.filename}".encode() + b"\x00" + file.read() + b"\x00")
            file.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _expired_before() -> datetime:
    return utcnow() - timedelta(hours=settings().idempotency_ttl_hours)


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


def _still_in_progress() -> Conflict:
    return Conflict("idempotency.in_progress", "上一次提交还在处理中，请稍后再试。",
                    retry_after=2)


def _bound_lock_wait() -> None:
    """A twin waits on the first request's uncommitted claim at most this long."""
    if db.session.get_bind().dialect.name == "postgresql":
        milliseconds = int(settings().idempotency_wait_seconds * 1000)
        db.session.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))


def _unbound_lock_wait() -> None:
    # The view's own row locks keep the server's default.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL lock_timeout = DEFAULT"))


def _claim(scope: str, key: str, fingerprint: str):
    """Claim the key for this request, or return the record of the twin that already ran."""
    existing = _find(scope, key)
    if existing is not None and existing.created_at >= _expired_before():
        return None, existing
    claim = IdempotencyRecord(scope=scope, key=key, request_fingerprint=fingerprint)
    try:
        _bound_lock_wait()
        if existing is not None:
            # Past the window: a new request. Conditional, so of two twins one deletes.
            db.session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.id == existing.id,
                IdempotencyRecord.created_at < _expired_before()))
        db.session.add(claim)
        db.session.flush()
        _unbound_lock_wait()
    except IntegrityError:
        # A twin claimed the key and committed its answer while we waited on the index.
        rollback()
        winner = _find(scope, key)
        if winner is None:
            raise
        return None, winner
    except OperationalError as exc:
        # The twin is still working after the bounded wait (PostgreSQL's lock_timeout,
        # SQLite's busy timeout).
        rollback()
        raise _still_in_progress() from exc
    return claim, None


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
        fingerprint = _fingerprint()
        claim, earlier = _claim(_scope(), key, fingerprint)
        if earlier is not None:
            return _replay(earlier, fingerprint)
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 400:
            # Failures are not remembered: the claim rolls back with whatever the view wrote.
            rollback()
            return response
        claim.status_code = response.status_code
        claim.response_body = response.get_data(as_text=True)
        commit()
        response.headers["Idempotent-Replayed"] = "false"
        return response

    return document_idempotency(wrapper)


def claim_form_token(token: str):
    """The same claim for a browser form, whose key is a token the page put in a hidden field
    (a plain form cannot send a header). Returns ``(claim, None)`` when this request runs
    the form (the caller stores its answer on ``claim``), or ``(None, earlier)`` when the
    form was already carried out by a request that committed."""
    if not _KEY_SHAPE.match(token or ""):
        raise ValidationFailed("idempotency.form_token_invalid",
                               "页面已过期，请刷新页面后重新填写。")
    return _claim(_scope(), f"form:{token}", _fingerprint())


def delete_expired_records() -> int:
    """Stored answers past the replay window (``jobs daily``); the caller commits."""
    result = db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < _expired_before()))
    return result.rowcount or 0
