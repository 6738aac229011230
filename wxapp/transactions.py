"""One commit per request, job or command; side effects only after that commit succeeded.

Below the services: a request (wxapp.web.transactions), a job (wxapp.jobs.context) and a CLI
command all end their unit of work here, so services only ``flush()`` and never commit."""
from __future__ import annotations

from collections.abc import Callable

from wxapp.extensions import db

_PENDING = "wxapp_after_commit"
_CACHE = "wxapp_unit_cache"


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has committed; drop it on rollback."""
    db.session.info.setdefault(_PENDING, []).append(callback)


def unit_cache() -> dict:
    """A dict for reference data read once per unit of work (a request, a job); emptied when
    the unit commits or rolls back, so a long-running worker never serves it stale."""
    return db.session.info.setdefault(_CACHE, {})


def commit() -> None:
    # Most official-account pushes never touch the database: then no session was even
    # created for the request, and there is nothing to commit.
    if not db.session.registry.has():
        return
    session = db.session()
    pending = session.info.pop(_PENDING, [])
    session.info.pop(_CACHE, None)
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        session.commit()
    for callback in pending:
        callback()


def rollback() -> None:
    if not db.session.registry.has():
        return
    db.session.info.pop(_PENDING, None)
    db.session.info.pop(_CACHE, None)
    db.session.rollback()

