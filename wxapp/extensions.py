"""Extension objects, created unbound and attached to the app in ``create_app``."""
from __future__ import annotations

import logging

import redis
from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
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
    url = app.config["WXAPP"].redis_url
    if url:
        # A burst (a popular booking day) waits briefly for a free connection instead of
        # failing with "Too many connections".
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=5,
                                                     health_check_interval=30)
        client = redis.Redis(connection_pool=pool)
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
