"""The schema comes from the migrations, and the migrations match the models."""
from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import PROJECT_ROOT, make_app, throwaway_database
from wxapp.extensions import db

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture
def empty_database_url():
    with throwaway_database() as url:
        yield url


def test_upgrade_from_empty_builds_every_table_and_downgrade_removes_them(
        base_settings, empty_database_url):
    app = make_app(replace(base_settings, database_url=empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def test_models_and_migrations_agree(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
