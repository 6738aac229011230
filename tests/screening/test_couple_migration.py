"""Migration 0012a: couples and bookings made before it keep working for the accounts that
made them, and two accounts that typed the same pair stay apart."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import PROJECT_ROOT, make_app, throwaway_database
from wxapp.extensions import db

MIGRATIONS = str(PROJECT_ROOT / "migrations")
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@pytest.fixture
def app_before_0012a(base_settings):
    with throwaway_database() as url:
        app = make_app(replace(base_settings, database_url=url))
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="0011")
            yield app
            db.session.remove()
            db.engine.dispose()


def _insert(conn, table: str, **values) -> int:
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)
    return conn.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar()


def test_existing_couples_and_bookings_belong_to_the_accounts_that_made_them(app_before_0012a):
    with db.engine.begin() as conn:
        township = _insert(conn, "townships", code="320102001", name="镇")
        village = _insert(conn, "villages", township_id=township, code="320102001001", name="村")
        clinic = _insert(conn, "clinics", township_id=township, name="卫生院", address="路",
                         phone="0", active=True)
        slot = _insert(conn, "screening_slots", clinic_id=clinic, starts_at=NOW,
                       ends_at=NOW + timedelta(hours=1), capacity=5, booked=2, closed=False)
        couples = []
        for n in range(2):  # two accounts that typed the same pair
            resident = _insert(conn, "residents", mp_openid=f"o-{n}", created_at=NOW,
                               updated_at=NOW, follows_official_account=False,
                               session_version=1, disabled=False)
            couple = _insert(conn, "screening_couples", resident_id=resident,
                             couple_key="same-pair", wife_name="x", wife_id_number="x",
                             wife_hukou_region="320102", husband_name="x",
                             husband_id_number="x", husband_hukou_region="320102",
                             village_id=village, planning_pregnancy=True, child_order=1,
                             created_at=NOW, updated_at=NOW)
            booking = _insert(conn, "screening_bookings", resident_id=resident, slot_id=slot,
                              couple_key="same-pair", child_order=1, village_id=village,
                              status="scheduled" if n == 0 else "cancelled",
                              checkin_code="123456", created_at=NOW, updated_at=NOW)
            couples.append((resident, couple, booking))

    upgrade(directory=MIGRATIONS)

    with db.engine.connect() as conn:
        members = set(conn.execute(sa.text(
            "SELECT resident_id, couple_id, joined_by FROM screening_couple_members")))
        owners = set(conn.execute(sa.text("SELECT id, couple_id FROM screening_bookings")))
    assert members == {(r, c, "created") for r, c, _ in couples}
    assert owners == {(b, c) for _, c, b in couples}

    downgrade(directory=MIGRATIONS, revision="0011")
    with db.engine.connect() as conn:
        assert "screening_couple_members" not in sa.inspect(conn).get_table_names()
