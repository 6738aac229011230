"""Rate limits: per address and per account, 429 with a Chinese message and Retry-After.

Each test builds an app whose limit under test is tight; every other test runs with wide
limits (tests/conftest.py). Windows are an hour long and start at the first request, so no
test depends on the clock."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import _clean, make_app
from tests.helpers import error_code, login
from tests.redis_outage import app_without_redis
from tests.supplies.conftest import Cabinet
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo, seed_supply_items
from wxapp.transactions import commit

STRANGER = {"REMOTE_ADDR": "127.0.0.66"}
REVIEWERS_DESK = {"REMOTE_ADDR": "127.0.0.10"}
HEARTBEAT = {"stock": [], "faults": []}


@pytest.fixture
def limited(base_settings, migrated):
    """limited(**limits) -> an app with those limits (the rest stay wide), cleaned after."""
    apps = []

    def build(**limits):
        app = make_app(replace(base_settings, **limits))
        with app.app_context():
            seed_supply_items()
            seed_demo()
            commit()
        apps.append(app)
        return app

    yield build
    for app in apps:
        _clean(app)


def _staff_login(client, username, password, address):
    return client.post("/api/v1/staff/auth/login", environ_base=address,
                       json={"username": username, "password": password})


def _assert_rate_limited(response):
    assert response.status_code == 429, response.get_json()
    assert error_code(response) == "request.rate_limited"
    assert "操作太频繁" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_sign_in_is_limited_per_address(limited):
    client = limited(rate_limit_login_per_address="3/hour").test_client()
    for _ in range(3):
        assert _staff_login(client, "demo-admin", "wrong", STRANGER).status_code == 401
    _assert_rate_limited(_staff_login(client, "demo-admin", "wrong", STRANGER))
    ok = _staff_login(client, "demo-reviewer", DEMO_STAFF_PASSWORD, REVIEWERS_DESK)
    assert ok.status_code == 200


def test_resident_sign_in_is_limited_per_address(limited, sim):
    client = limited(rate_limit_login_per_address="2/hour").test_client()
    login(client, sim, "ann")
    login(client, sim, "ben")
    code = sim.login_code("cal")["code"]
    _assert_rate_limited(client.post("/api/v1/auth/login", json={"code": code}))


def test_staff_failures_are_limited_per_account_from_every_address(limited):
    client = limited(rate_limit_login_failures_per_account="3/hour").test_client()
    for n in range(3):
        address = {"REMOTE_ADDR": f"127.0.1.{n + 1}"}
        assert _staff_login(client, "demo-admin", "wrong", address).status_code == 401
    _assert_rate_limited(_staff_login(client, "demo-admin", "wrong", {"REMOTE_ADDR": "127.0.1.9"}))
    # Other accounts are untouched.
    assert _staff_login(client, "demo-reviewer", DEMO_STAFF_PASSWORD,
                        STRANGER).status_code == 200


def test_successful_sign_ins_do_not_count_against_the_account(limited):
    client = limited(rate_limit_login_failures_per_account="2/hour").test_client()
    for _ in range(4):
        assert _staff_login(client, "demo-reviewer", DEMO_STAFF_PASSWORD,
                            REVIEWERS_DESK).status_code == 200


def _pickup_body(app):
    from sqlalchemy import select

    from wxapp.extensions import db
    from wxapp.models import SupplyItem, SupplyPoint

    with app.app_context():
        point = db.session.scalars(select(SupplyPoint).filter_by(code="CAB-DH-01")).one()
        item = db.session.scalars(select(SupplyItem).filter_by(code="condom-m")).one()
        return {"point_id": point.id, "items": [{"item_id": item.id, "quantity": 1}]}


def test_creating_codes_bookings_and_uploads_is_limited_per_resident(limited, sim):
    app = limited(rate_limit_create_per_account="3/hour")
    client = app.test_client()
    me, neighbour = login(client, sim, "dora"), login(client, sim, "eve")
    body = _pickup_body(app)
    first = client.post("/api/v1/me/pickups", headers=me, json=body)
    assert first.status_code == 201
    client.post(f"/api/v1/me/pickups/{first.get_json()['id']}/cancel", headers=me)
    assert client.post("/api/v1/me/pickups", headers=me, json=body).status_code == 201
    # Bookings share the resident's budget (this one fails for its own reasons, and counts).
    assert client.post("/api/v1/me/bookings", headers=me, json={"slot_id": 0}).status_code < 500
    _assert_rate_limited(client.post("/api/v1/me/pickups", headers=me, json=body))
    _assert_rate_limited(client.post("/api/v1/me/bookings", headers=me, json={"slot_id": 0}))
    # The neighbour, at the same address, has her own budget.
    assert client.post("/api/v1/me/pickups", headers=neighbour, json=body).status_code == 201


def test_creating_is_limited_per_address_more_widely(limited, sim):
    app = limited(rate_limit_create_per_address="2/hour")
    client = app.test_client()
    body = _pickup_body(app)
    for user in ("fay", "gus"):
        assert client.post("/api/v1/me/pickups", headers=login(client, sim, user),
                           json=body).status_code == 201
    third = login(client, sim, "hal")
    _assert_rate_limited(client.post("/api/v1/me/pickups", headers=third, json=body))
    elsewhere = client.post("/api/v1/me/pickups", headers=third, json=body,
                            environ_base={"REMOTE_ADDR": "127.0.2.1"})
    assert elsewhere.status_code == 201


def test_verify_is_limited_per_address(limited):
    client = limited(rate_limit_verify_per_address="2/hour").test_client()
    for _ in range(2):
        assert client.get("/verify/NO-SUCH-CODE").status_code == 404
    _assert_rate_limited(client.get("/verify/NO-SUCH-CODE",
                                    headers={"Accept": "application/json"}))
    assert client.get("/verify/NO-SUCH-CODE",
                      environ_base={"REMOTE_ADDR": "127.0.2.2"}).status_code == 404


def test_cabinet_calls_are_limited_per_cabinet_and_forgers_do_not_count(limited):
    client = limited(rate_limit_device_per_cabinet="2/hour").test_client()
    cabinet = Cabinet(client, "demo-cab-1", "demo-cabinet-secret-1")
    for _ in range(3):
        forged = cabinet.post("/heartbeat", HEARTBEAT, secret="not-the-secret")
        assert forged.status_code == 401
    for _ in range(2):
        assert cabinet.post("/heartbeat", HEARTBEAT).status_code < 400
    _assert_rate_limited(cabinet.post("/heartbeat", HEARTBEAT))
    other = Cabinet(client, "demo-cab-2", "demo-cabinet-secret-2")
    assert other.post("/heartbeat", HEARTBEAT).status_code < 400


def test_cabinet_calls_are_limited_per_address(limited):
    client = limited(rate_limit_device_per_address="2/hour").test_client()
    cabinet = Cabinet(client, "demo-cab-1", "demo-cabinet-secret-1")
    cabinet.post("/heartbeat", HEARTBEAT)
    Cabinet(client, "demo-cab-2", "demo-cabinet-secret-2").post("/heartbeat", HEARTBEAT)
    _assert_rate_limited(cabinet.post("/heartbeat", HEARTBEAT))


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(limited):
    client = limited(rate_limit_verify_per_address="1/hour", trusted_proxy_count=1).test_client()
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/verify/NO-SUCH-CODE", headers=first).status_code == 404
    _assert_rate_limited(client.get("/verify/NO-SUCH-CODE", headers=first))
    assert client.get("/verify/NO-SUCH-CODE",
                      headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 404


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_without_redis_verify_still_answers_and_stays_limited(base_settings, outage):
    settings = replace(base_settings, rate_limit_verify_per_address="2/hour")
    with app_without_redis(settings, outage) as app:
        client = app.test_client()
        statuses = [client.get("/verify/NO-SUCH-CODE").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_limits_can_be_switched_off(limited):
    client = limited(rate_limit_verify_per_address="1/hour",
                     rate_limits_disabled=True).test_client()
    assert [client.get("/verify/NO-SUCH-CODE").status_code for _ in range(3)] == [404] * 3
