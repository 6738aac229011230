"""Throwaway PostgreSQL databases beside the one a URL names, so that parallel test runs
and benchmarks on one server never collide."""
from __future__ import annotations

import secrets
from contextlib import contextmanager

import sqlalchemy as sa

from wxapp.config import normalise_database_url


@contextmanager
def throwaway_postgres(base_url: str, prefix: str = "wxapp_test"):
    url = sa.make_url(normalise_database_url(base_url))
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
