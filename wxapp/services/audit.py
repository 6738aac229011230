"""Recording who read or changed personal data.

Where a change came from (the caller's address) is a fact of the transport, not of the
service: the request layer hands it over with ``set_request_facts`` as each request starts
and takes it back when it ends; a job or a command has none, and its rows say so."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from wxapp.extensions import db
from wxapp.models import AuditLog


@dataclass(frozen=True)
class Actor:
    type: str  # staff / resident / device / system
    id: str | None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None)


@dataclass(frozen=True)
class RequestFacts:
    address: str | None


_request_facts: ContextVar[RequestFacts | None] = ContextVar("wxapp_request_facts",
                                                             default=None)


def set_request_facts(facts: RequestFacts | None) -> None:
    _request_facts.set(facts)


def record_audit(actor: Actor, action: str, target_type: str, target_id, detail=None) -> AuditLog:
    """Add an audit row to the current transaction: it commits or rolls back with the change."""
    facts = _request_facts.get()
    entry = AuditLog(
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail,
        ip=facts.address if facts else None,
    )
    db.session.add(entry)
    return entry
