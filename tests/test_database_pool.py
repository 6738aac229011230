"""Pooled connections: pinged before use only after sitting idle, replaced when dead."""
from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from tests.conftest import _clean, make_app
from wxapp.extensions import db

pytestmark = pytest.mark.postgres_only


def _app_pinging_after(base_settings, seconds: float):
    return make_app(replace(base_settings, database_ping_after_idle_seconds=seconds))


def _backend_pid() -> int:
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.commit()
    db.session.remove()  # the connection goes back to the pool, idle
    return pid


def _terminate(base_settings, pid: int) -> None:
    # As a database restart or a dropped idle connection would, from outside the pool.
    engine = sa.create_engine(base_settings.database_url)
    with engine.begin() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()


def test_an_idle_connection_that_died_is_replaced_before_use(migrated, base_settings):
    app = _app_pinging_after(base_settings, 0)
    try:
        with app.app_context():
            dead = _backend_pid()
            _terminate(base_settings, dead)
            fresh = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
            assert fresh != dead
    finally:
        _clean(app)


def test_a_connection_used_a_moment_ago_is_not_pinged(migrated, base_settings):
    # The saving: no round trip before each request. The price, shown here: a connection
    # killed within the idle threshold fails its next statement (then SQLAlchemy drops it).
    app = _app_pinging_after(base_settings, 3600)
    try:
        with app.app_context():
            _terminate(base_settings, _backend_pid())
            with pytest.raises(OperationalError):
                db.session.scalar(sa.text("SELECT 1"))
            db.session.rollback()
            assert db.session.scalar(sa.text("SELECT 1")) == 1
    finally:
        _clean(app)
