from __future__ import annotations

import pytest

from tests.faq.shipped import KB_PATH
from wxapp.faq.knowledge_base import load_knowledge_base
from wxapp.faq.matcher import FaqMatcher
from wxapp.seeding.seed import seed_default, seed_demo
from wxapp.transactions import commit


@pytest.fixture(scope="session")
def matcher():
    """The engine over the shipped knowledge base, built once (it takes seconds)."""
    return FaqMatcher.build(load_knowledge_base(KB_PATH).entries)


@pytest.fixture
def knowledge_base(app_ctx):
    """The shipped knowledge base, seeded as `flask seed` does."""
    seed_default()
    commit()


@pytest.fixture
def staff_headers(client, app_ctx):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

    seed_demo()
    commit()

    def headers_for(username="demo-admin"):
        token = client.post("/api/v1/staff/auth/login", json={
            "username": username, "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
        return {"Authorization": f"Bearer {token}"}

    return headers_for
