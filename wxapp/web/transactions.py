"""One commit per request (or job); side effects only after that commit succeeded."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from wxapp.extensions import db

_PENDING = "wxapp_after_commit"


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has committed; drop it on rollback."""
    db.session.info.setdefault(_PENDING, []).append(callback)


def commit() -> None:
    # Most official-account pushes never touch the database: then no session was even
    # created for the request, and there is nothing to commit.
    if not db.session.registry.has():
        return
    session = db.session()
    pending = session.info.pop(_PENDING, [])
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        session.commit()
    for callback in pending:
        callback()


def rollback() -> None:
    if not db.session.registry.has():
        return
    db.session.info.pop(_PENDING, None)
    db.session.rollback()


def register_request_transaction(app: Flask) -> None:
    @app.after_request
    def _commit_successful_requests(response):
        if response.status_code < 400:
            commit()
        else:
            rollback()
        return response

    @app.teardown_request
    def _rollback_on_exception(exc):
        if exc is not None:
            rollback()
