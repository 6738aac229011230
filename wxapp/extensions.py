"""Extension objects, created unbound and attached to the app in ``create_app``."""
from __future__ import annotations

import logging

import redis
from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

log = logging.getLogger(__name__)

# Stable constraint names so Alembic autogenerate and downgrades work the same on SQLite
# and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def init_redis(app: Flask) -> None:
    """Attach one redis-py client to the app.

    With no REDIS_URL, an in-process fakeredis server stands in so that a fresh machine runs
    the service with one command; it is per process, so it is refused in production and
    warned about here.
    """
    settings = app.config["WXAPP"]
    url = settings.redis_url
    if url:
        # A burst (a popular booking day) waits briefly for a free connection instead of
        # failing with "Too many connections". Timeouts are explicit and short: redis-py's
        # default of 5 s (and its retries) made every request wait that long when Redis was
        # silent; the error handler answers a Redis outage with a 503.
        retry = Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,))
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=64, timeout=2, health_check_interval=30,
            socket_connect_timeout=settings.redis_connect_timeout_seconds,
            socket_timeout=settings.redis_read_timeout_seconds,
            # One retry, and only on a refused or dropped connection (a pooled connection
            # that Redis closed when it restarted); a silent Redis is not asked twice.
            retry=retry,
        )
        client = redis.Redis(connection_pool=pool, retry=retry)
        app.extensions["wxapp_redis_is_real"] = True
    else:
        import fakeredis

        log.warning(
            "REDIS_URL is not set: using an in-process Redis; fine for one development "
            "process, wrong for several workers"
        )
        client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        app.extensions["wxapp_redis_is_real"] = False
    app.extensions["wxapp_redis"] = client


def get_redis() -> redis.Redis:
    return current_app.extensions["wxapp_redis"]


def redis_is_real() -> bool:
    return current_app.extensions["wxapp_redis_is_real"]
