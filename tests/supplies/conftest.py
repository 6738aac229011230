from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import pytest
from sqlalchemy import select

from tests.helpers import login
from wxapp.extensions import db
from wxapp.models import SupplyItem, SupplyPoint
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo, seed_supply_items
from wxapp.transactions import commit


@pytest.fixture
def world(app_ctx):
    """The demo township: a store, two village cabinets and a clinic counter, each stocked
    with 60 of every catalogue item through the ledger."""
    seed_supply_items()
    seed_demo()
    commit()
    items = {i.code: i.id for i in db.session.scalars(select(SupplyItem))}
    points = {p.code: p.id for p in db.session.scalars(select(SupplyPoint))}
    return {"items": items, "points": points}


@pytest.fixture
def staff_headers(client, world):
    def headers_for(username="demo-admin"):
        response = client.post("/api/v1/staff/auth/login", json={
            "username": username, "password": DEMO_STAFF_PASSWORD})
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return headers_for


@pytest.fixture
def other_village_worker(staff_headers):
    """Headers of the village worker of 西岭村, who must not see 东湖村's residents or tasks."""
    from wxapp.models import StaffUser, Village
    from wxapp.services.accounts.passwords import hash_password

    village = db.session.scalars(select(Village).filter_by(name="西岭村")).one()
    db.session.add(StaffUser(username="xl-worker", display_name="西岭村专干",
                             role="village_worker", township_id=village.township_id,
                             village_id=village.id,
                             password_hash=hash_password(DEMO_STAFF_PASSWORD)))
    commit()
    return staff_headers("xl-worker")


@pytest.fixture
def resident(client, sim):
    return lambda user="li": login(client, sim, user)


class Cabinet:
    """Signs as the cabinet firmware would. Written from the documented contract, not with
    the service's own signing code, so that a bug there cannot hide here."""

    def __init__(self, client, key_id, secret):
        self.client, self.key_id, self.secret = client, key_id, secret

    def headers(self, method, path, body: bytes, *, timestamp=None, nonce=None, secret=None):
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(8)
        message = "\n".join([method, path, timestamp, nonce,
                             hashlib.sha256(body).hexdigest()]).encode()
        signature = hmac.new((secret or self.secret).encode(), message,
                             hashlib.sha256).hexdigest()
        return {"X-Device-Key": self.key_id, "X-Device-Timestamp": timestamp,
                "X-Device-Nonce": nonce, "X-Device-Signature": signature,
                "Content-Type": "application/json"}

    def post(self, path, payload, **signing):
        body = json.dumps(payload).encode()
        full = "/device/v1" + path
        return self.client.post(full, data=body, headers=self.headers("POST", full, body,
                                                                        **signing))


@pytest.fixture
def cabinet(client, world):
    return Cabinet(client, "demo-cab-1", "demo-cabinet-secret-1")


@pytest.fixture
def other_cabinet(client, world):
    return Cabinet(client, "demo-cab-2", "demo-cabinet-secret-2")


@pytest.fixture
def knowledge_base(world):
    from wxapp.seeding.seed import seed_default

    seed_default()
    commit()


@pytest.fixture
def registered(client, sim, world):
    """A resident who filed a birth registration as the mother: from then on her profile knows
    her ID number. Everything goes through the mini-program API, as her phone would."""
    from datetime import date, timedelta

    from tests.factories import male_id
    from wxapp.models import Village
    from wxapp.services.registration.applications import CONSENT_TEXT_VERSION

    village = db.session.scalars(select(Village).filter_by(name="东湖村")).one().id

    def file(user, id_number):
        headers = login(client, sim, user)
        consent = client.post("/api/v1/me/consents", headers=headers,
                              json={"text_version": CONSENT_TEXT_VERSION})
        assert consent.status_code == 201, consent.get_json()
        filed = client.post("/api/v1/me/registrations", headers=headers, json={
            "filer_role": "mother",
            "mother": {"name": "王芳", "id_number": id_number, "phone": "13812345678",
                       "hukou_region": "320102"},
            "father": {"name": "李强", "id_number": male_id(), "phone": "13987654321",
                       "hukou_region": "320102"},
            "marriage_date": "2020-05-01", "pregnancy_status": "pregnant",
            "expected_or_birth_date": (date.today() + timedelta(days=120)).isoformat(),
            "existing_children": [], "village_id": village,
            "promised_documents": ["mother_id_card", "father_id_card", "hukou_page"]})
        assert filed.status_code == 201, filed.get_json()
        return headers

    return file
