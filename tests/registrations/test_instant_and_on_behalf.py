"""即办 (instant registration) and 代办 (filed by a village worker)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import make_app
from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import BirthRegistration

MINE = "/api/v1/me/registrations"
STAFF = "/api/v1/staff/registrations"


@pytest.fixture
def instant_client(base_settings, migrated, app):
    instant = make_app(replace(base_settings, instant_registration=True))
    instant.extensions["wxapp_redis"] = app.extensions["wxapp_redis"]
    return instant.test_client()


def test_instant_registration_without_conflicts_is_registered_at_once(
        instant_client, villages, form, sim):
    from tests.helpers import login
    from wxapp.services.registration.applications import CONSENT_TEXT_VERSION

    client = instant_client
    me = login(client, sim, "instant")
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    upload_ids = []
    from tests.registrations.test_documents import PNG, _upload
    for kind in ("mother_id_card", "father_id_card", "hukou_page"):
        upload_ids.append(_upload(client, me, kind, PNG).get_json()["id"])
    body = client.post(MINE, headers=me, json=form(documents=upload_ids,
                                                   promised_documents=[])).get_json()
    assert body["status"] == "approved" and body["certificate_code"]
    assert [h["to_status"] for h in body["history"]] == ["submitted", "approved"]
    assert body["history"][-1]["actor_type"] == "system"


def test_instant_registration_sends_conflicts_to_a_reviewer(instant_client, villages, form,
                                                           sim, app_ctx):
    from tests.helpers import login
    from wxapp.services.registration.applications import CONSENT_TEXT_VERSION

    me = login(instant_client, sim, "promised")
    instant_client.post("/api/v1/me/consents", headers=me,
                        json={"text_version": CONSENT_TEXT_VERSION})
    body = instant_client.post(MINE, headers=me, json=form()).get_json()
    assert body["status"] == "submitted"
    reg = db.session.get(BirthRegistration, body["id"])
    assert reg.conflict_flags == ["promised_documents"]


def test_village_worker_files_on_behalf_for_their_village(client, form, staff, villages):
    response = client.post(STAFF, headers=staff("demo-village"),
                           json={**form(promised_documents=[]), "consent_confirmed": True})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["filed_by_staff_id"]
    assert body["history"][0]["note"] == "代办"


def test_on_behalf_needs_the_signed_consent_and_the_workers_own_village(client, form, staff,
                                                                        villages):
    no_consent = client.post(STAFF, headers=staff("demo-village"),
                             json={**form(), "consent_confirmed": False})
    assert no_consent.status_code == 403
    elsewhere = client.post(STAFF, headers=staff("demo-village"),
                            json={**form(village_id=villages["西岭村"]), "consent_confirmed": True})
    assert elsewhere.status_code == 403 and error_code(elsewhere) == "registration.other_village"


def test_second_registration_for_the_same_mother_is_flagged(client, resident, form, staff,
                                                            app_ctx):
    me = resident()
    first = client.post(MINE, headers=me, json=form()).get_json()
    client.post(f"{STAFF}/{first['id']}/approve", headers=staff())
    second = client.post(MINE, headers=me, json=form(
        existing_children=[{"birth_date": "2021-08-08", "relation": "both"},
                           {"birth_date": "2024-01-01", "relation": "both"}])).get_json()
    flags = db.session.get(BirthRegistration, second["id"]).conflict_flags
    assert "earlier_registration" in flags
    listed = client.get(STAFF, headers=staff()).get_json()
    assert any(r["conflict_flags"] for r in listed)
