"""Recording who read or changed personal data."""
from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request

from wxapp.extensions import db
from wxapp.models import AuditLog


@dataclass(frozen=True)
class Actor:
    type: str  # staff / resident / device / system
    id: str | None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None)


def record_audit(actor: Actor, action: str, target_type: str, target_id, detail=None) -> AuditLog:
    """Add an audit row to the current transaction: it commits or rolls back with the change."""
    entry = AuditLog(
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
