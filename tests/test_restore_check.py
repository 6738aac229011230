"""`flask --app wsgi check` tells whether a restored database can be served with the keys at
hand: a pg_dump restored into a new database passes; the wrong data key or blind-index key,
or a schema behind the migrations, fails it."""
from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.conftest import make_app
from tests.observability.journey import run_journey
from wxapp.testing.databases import throwaway_postgres


def _check(settings) -> tuple[int, str]:
    app = make_app(settings)
    try:
        # Its own context on top of the test's: the command reads the app it runs in.
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["check"])
        return result.exit_code, result.output
    finally:
        from wxapp.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _other_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def filled(app_ctx, client, sim, wechat):
    """Everything a resident leaves behind: encrypted registrations, profiles, bookings,
    pickups and their ledger."""
    run_journey(client, sim, wechat)


def test_check_passes_with_the_right_keys_and_fails_with_wrong_ones(filled, base_settings):
    code, output = _check(base_settings)
    assert code == 0, output
    assert "ok: schema at the migrations' head" in output
    assert "ok: the data key decrypts all" in output
    assert "ok: the blind-index key finds all" in output
    assert "ok: stock equals the ledger" in output

    code, output = _check(replace(base_settings, data_encryption_key=_other_key()))
    assert code != 0 and "cannot be decrypted with DATA_ENCRYPTION_KEY" in output

    code, output = _check(replace(base_settings, blind_index_key="not-the-indexing-key"))
    assert code != 0 and "BLIND_INDEX_KEY is not the key" in output


def _libpq(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres_only
def test_a_dump_restored_into_a_new_database_passes_the_check(filled, base_settings, tmp_path):
    dump = tmp_path / "wxapp.dump"
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump),
                    _libpq(base_settings.database_url)], check=True, capture_output=True)
    with throwaway_postgres(base_settings.database_url, prefix="wxapp_restore") as restored:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                        _libpq(restored), str(dump)], check=True, capture_output=True)
        code, output = _check(replace(base_settings, database_url=restored))
        assert code == 0, output
        assert "the restored database is ready" in output
        code, output = _check(replace(base_settings, database_url=restored,
                                      data_encryption_key=_other_key()))
        assert code != 0 and "cannot be decrypted" in output
        # A dump from before the newest migration: the check says to upgrade first.
        engine = sa.create_engine(restored)
        with engine.begin() as conn:
            changed = conn.execute(sa.text("UPDATE alembic_version SET version_num = '0012c'"))
            assert changed.rowcount == 1, restored
        engine.dispose()
        code, output = _check(replace(base_settings, database_url=restored))
        assert code != 0 and "db upgrade" in output, output
