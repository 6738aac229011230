"""Check pooled database connections only when they may have gone stale.

SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one extra round trip per request,
which under load cost about a fifth of a cabinet call. A connection handed back a moment ago
is almost never dead; one that sat idle (a quiet night, a restarted database or a dropped
NAT entry) may be. So a connection is pinged only when it has been idle for longer than
``DATABASE_PING_AFTER_IDLE_SECONDS``; a dead one is replaced before the request sees it,
using the pool's own retry (SQLAlchemy's documented "pessimistic" pattern, with the dialect's
own ping). A database restart under steady traffic still fails the requests in flight, as it
would with any pinging, and SQLAlchemy then refreshes the whole pool.
"""
from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_IDLE_SINCE = "wxapp_idle_since"


def ping_connections_idle_for(engine: Engine, seconds: int) -> None:
    @event.listens_for(engine, "checkin")
    def _remember_when_idle(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle_long(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            if engine.dialect.is_disconnect(err, dbapi_connection, None):
                raise exc.DisconnectionError() from err
            raise
        if not alive:
            raise exc.DisconnectionError()
