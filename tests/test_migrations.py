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


def test_ratings_of_messages_left_for_a_village_are_given_that_village(
        base_settings, empty_database_url):
    from wxapp.models import Handover, Resident, ServiceRating, Township, Village
    from wxapp.seeding.seed import seed_demo
    from wxapp.transactions import commit

    app = make_app(replace(base_settings, database_url=empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0021t")
        seed_demo()
        township = db.session.scalars(sa.select(Township)).first()
        village = db.session.scalars(sa.select(Village).filter_by(name="东湖村")).one()
        resident = Resident(mp_openid="migrated-rater")
        db.session.add(resident)
        db.session.flush()
        ids = {}
        for purpose, village_id in (("filing_help", village.id), ("question", None)):
            handover = Handover(resident_id=resident.id, channel="app", purpose=purpose,
                                village_id=village_id, message="请回电", status="answered")
            db.session.add(handover)
            db.session.flush()
            db.session.add(ServiceRating(resident_id=resident.id, service="handover",
                                         subject=f"handover:{handover.id}", score=5,
                                         township_id=township.id))
            ids[purpose] = handover.id
        commit()
        upgrade(directory=MIGRATIONS)
        villages = dict(db.session.execute(sa.select(ServiceRating.subject,
                                                     ServiceRating.village_id)).all())
        assert villages == {f"handover:{ids['filing_help']}": village.id,
                            f"handover:{ids['question']}": None}
        db.session.remove()
        db.engine.dispose()
