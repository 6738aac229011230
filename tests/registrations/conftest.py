from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import registration_form
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
        return registration_form(villages["东湖村"], **changes)
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
