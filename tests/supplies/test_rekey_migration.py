"""Migration 0012b re-keys the blind indexes stored before one key per person: profiles,
registrations and the app's pickups move to the key the cabinets use, and back on downgrade."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import PROJECT_ROOT, make_app, throwaway_database
from tests.factories import female_id
from tests.helpers import error_code, login
from tests.supplies.conftest import Cabinet
from wxapp.extensions import db
from wxapp.models import Village
from wxapp.seeding.seed import seed_demo, seed_supply_items
from wxapp.transactions import commit

MIGRATIONS = str(PROJECT_ROOT / "migrations")
HER_ID = female_id("19970521")


@pytest.fixture
def own_app(base_settings, wechat_sim):
    with throwaway_database() as url:
        app = make_app(replace(base_settings, database_url=url))
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            seed_supply_items()
            seed_demo()
            commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _stored_keys() -> dict:
    db.session.remove()
    with db.engine.connect() as conn:
        return {
            "profile": conn.execute(sa.text(
                "SELECT id_number_index, phone_index FROM resident_profiles")).one(),
            "registration": conn.execute(sa.text(
                "SELECT mother_id_index, father_id_index FROM birth_registrations")).one(),
            "pickups": conn.execute(sa.text(
                "SELECT holder_key FROM pickups ORDER BY id")).scalars().all(),
        }


def test_down_and_up_again_re_keys_profiles_registrations_and_her_pickups(own_app, sim):
    from tests.factories import male_id
    from wxapp.services.registration.applications import CONSENT_TEXT_VERSION

    client = own_app.test_client()
    cabinet = Cabinet(client, "demo-cab-1", "demo-cabinet-secret-1")
    with own_app.app_context():
        village = db.session.scalar(sa.select(Village.id).filter_by(name="东湖村"))
        items = dict(db.session.execute(sa.text("SELECT code, id FROM supply_items")).all())
        point = db.session.scalar(sa.text("SELECT id FROM supply_points WHERE code = 'CAB-DH-01'"))
    me = login(client, sim, "rekeyed")
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    filed = client.post("/api/v1/me/registrations", headers=me, json={
        "filer_role": "mother",
        "mother": {"name": "王芳", "id_number": HER_ID, "phone": "13812345678",
                   "hukou_region": "320102"},
        "father": {"name": "李强", "id_number": male_id(), "phone": "13987654321",
                   "hukou_region": "320102"},
        "marriage_date": "2020-05-01", "pregnancy_status": "pregnant",
        "expected_or_birth_date": (date.today() + timedelta(days=120)).isoformat(),
        "existing_children": [],
        "village_id": village,
        "promised_documents": ["mother_id_card", "father_id_card", "hukou_page"]})
    assert filed.status_code == 201, filed.get_json()
    asked = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": point, "items": [{"item_id": items["condom-m"], "quantity": 2}]})
    assert asked.status_code == 201

    with own_app.app_context():
        current = _stored_keys()
        before = ScriptDirectory.from_config(
            own_app.extensions["migrate"].migrate.get_config(MIGRATIONS)
        ).get_revision("0012b").down_revision
        downgrade(directory=MIGRATIONS, revision=before)
        old = _stored_keys()
        # Before 0012b each column had its own key: every stored index differs.
        assert old["profile"][0] != current["profile"][0]
        assert old["profile"][1] != current["profile"][1]
        assert set(old["registration"]).isdisjoint(current["registration"])
        assert old["pickups"] == [f"id:{old['profile'][0]}"]
        # As if she had taken it before her profile knew her ID number (keyed per resident).
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE pickups SET status = 'dispensed', holder_key = "
                                 "'resident:' || resident_id"))
        upgrade(directory=MIGRATIONS)
        assert _stored_keys() == current

    # From the outside: her ID card is the same person as her app code.
    card = cabinet.post("/id-card-pickups", {"id_number": HER_ID,
                                             "items": [{"code": "condom-m", "quantity": 1}]})
    assert card.status_code == 409 and error_code(card) == "pickup.too_soon"
