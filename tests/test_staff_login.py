"""Staff sign-in for the console and the staff API."""
from __future__ import annotations

import pytest

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import StaffUser
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
from wxapp.transactions import commit


@pytest.fixture
def demo_staff(app_ctx):
    seed_demo()
    commit()


def _login(client, username, password=DEMO_STAFF_PASSWORD):
    return client.post("/api/v1/staff/auth/login",
                       json={"username": username, "password": password})


def test_staff_signs_in_and_sees_their_scope(client, demo_staff):
    token = _login(client, "demo-village").get_json()["token"]
    me = client.get("/api/v1/staff/auth/me", headers={"Authorization": f"Bearer {token}"})
    body = me.get_json()
    assert body["role"] == "village_worker" and body["village_id"] is not None
    assert "password" not in me.get_data(as_text=True)
    assert body["clinic_ids"] == []


def test_clinic_staff_see_which_clinics_they_work_at(client, demo_staff):
    from wxapp.models import Clinic

    token = _login(client, "demo-clinic").get_json()["token"]
    me = client.get("/api/v1/staff/auth/me", headers={"Authorization": f"Bearer {token}"})
    own = db.session.query(Clinic).filter_by(name="示范镇卫生院").one()
    assert me.get_json()["clinic_ids"] == [own.id]


def test_wrong_password_and_unknown_user_get_the_same_answer(client, demo_staff):
    wrong = _login(client, "demo-admin", "nope")
    unknown = _login(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert error_code(wrong) == "staff.bad_credentials"


def test_five_failures_lock_the_account_for_a_while(client, demo_staff):
    for _ in range(5):
        _login(client, "demo-reviewer", "guess")
    locked = _login(client, "demo-reviewer")
    assert locked.status_code == 429 and error_code(locked) == "staff.login_locked"


def test_disabled_staff_token_stops_working(client, demo_staff):
    token = _login(client, "demo-clinic").get_json()["token"]
    staff = db.session.query(StaffUser).filter_by(username="demo-clinic").one()
    staff.active = False
    db.session.commit()
    me = client.get("/api/v1/staff/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401 and error_code(me) == "auth.token_revoked"


def test_resident_token_is_not_a_staff_token(client, sim, demo_staff):
    from tests.helpers import login

    resident_headers = login(client, sim, "resident-trying-staff")
    response = client.get("/api/v1/staff/auth/me", headers=resident_headers)
    assert response.status_code == 401


def test_seeding_demo_twice_changes_nothing(app_ctx):
    first = seed_demo()
    commit()
    second = seed_demo()
    commit()
    assert first["staff"] == 4 and first["clinics"] == 2 and first["slots"] > 0
    assert set(second.values()) == {0}


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_without_redis_staff_login_answers_503_not_500(base_settings, demo_staff, outage):
    from tests.redis_outage import app_without_redis

    with app_without_redis(base_settings, outage) as broken:
        response = _login(broken.test_client(), "demo-reviewer")
    assert response.status_code == 503 and error_code(response) == "service.redis_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_a_strangers_wrong_passwords_do_not_lock_the_reviewer_out_at_her_desk(
        client, demo_staff):
    stranger, desk = {"REMOTE_ADDR": "127.0.0.66"}, {"REMOTE_ADDR": "127.0.0.10"}
    for _ in range(5):
        client.post("/api/v1/staff/auth/login", environ_base=stranger,
                    json={"username": "demo-reviewer", "password": "guess"})
    locked = client.post("/api/v1/staff/auth/login", environ_base=stranger,
                         json={"username": "demo-reviewer", "password": DEMO_STAFF_PASSWORD})
    assert locked.status_code == 429 and error_code(locked) == "staff.login_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    at_her_desk = client.post("/api/v1/staff/auth/login", environ_base=desk,
                              json={"username": "demo-reviewer",
                                    "password": DEMO_STAFF_PASSWORD})
    assert at_her_desk.status_code == 200
