from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import female_id, male_id
from tests.helpers import login
from wxapp.extensions import db
from wxapp.models import Village
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION
from wxapp.transactions import commit


@pytest.fixture
def villages(app_ctx):
    seed_demo()
    commit()
    return {v.name: v.id for v in db.session.scalars(select(Village))}


@pytest.fixture
def form(villages):
    def build(**changes):
        data = {
            "filer_role": "mother",
            "mother": {"name": "王芳", "id_number": female_id("19950302"),
                       "phone": "13812345678", "hukou_region": "320102"},
            "father": {"name": "李强", "id_number": male_id("19930415"),
                       "phone": "13987654321", "hukou_region": "320102"},
            "marriage_date": "2020-05-01",
            "pregnancy_status": "pregnant",
            "expected_or_birth_date": (date.today() + timedelta(days=120)).isoformat(),
            "existing_children": [{"birth_date": "2021-08-08", "relation": "both"}],
            "village_id": villages["东湖村"],
            # Signed promises stand in for the documents (承诺制); uploads are tested apart.
            "promised_documents": ["mother_id_card", "father_id_card", "hukou_page"],
        }
        data.update(changes)
        return data
    return build


@pytest.fixture
def resident(client, sim):
    """A signed-in resident who has given consent; returns the Authorization headers."""
    def make(user="wangfang"):
        headers = login(client, sim, user)
        response = client.post("/api/v1/me/consents", headers=headers,
                               json={"text_version": CONSENT_TEXT_VERSION})
        assert response.status_code == 201, response.get_json()
        return headers
    return make


@pytest.fixture
def staff(client, villages):
    def headers_for(username="demo-reviewer"):
        token = client.post("/api/v1/staff/auth/login", json={
            "username": username, "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
        return {"Authorization": f"Bearer {token}"}
    return headers_for
