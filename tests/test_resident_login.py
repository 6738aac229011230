"""Mini-program login: wx.login code -> code2Session -> our own token."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.helpers import error_code, login
from tests.redis_outage import app_without_redis
from wxapp.config import DEV_WECHAT_APP_ID
from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.services.accounts import residents


def test_login_returns_a_token_that_opens_me(client, sim):
    code = sim.login_code("alice")["code"]
    response = client.post("/api/v1/auth/login", json={"code": code})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_in"} and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] > 0


def test_session_key_never_leaves_the_server(client, sim):
    code = sim.login_code("alice")["code"]
    response = client.post("/api/v1/auth/login", json={"code": code})
    assert "session_key" not in response.get_data(as_text=True)


def test_the_same_person_logging_in_twice_is_one_resident(client, sim, app_ctx):
    first = client.get("/api/v1/me", headers=login(client, sim, "bob")).get_json()["id"]
    second = client.get("/api/v1/me", headers=login(client, sim, "bob")).get_json()["id"]
    assert first == second
    assert db.session.scalar(select(func.count(Resident.id))) == 1


def test_official_account_follower_and_mini_program_user_are_linked_by_unionid(
        client, sim, app_ctx):
    oa = sim.login_code("carol", appid=DEV_WECHAT_APP_ID)
    follower = residents.resident_for_official_account(oa["openid"], oa["unionid"])
    db.session.commit()
    me = client.get("/api/v1/me", headers=login(client, sim, "carol")).get_json()
    assert me["id"] == follower.id


def test_a_code_works_once(client, sim):
    code = sim.login_code("dave")["code"]
    assert client.post("/api/v1/auth/login", json={"code": code}).status_code == 200
    again = client.post("/api/v1/auth/login", json={"code": code})
    assert again.status_code == 401 and error_code(again) == "auth.code_invalid"
    assert "重新打开小程序" in again.get_json()["error"]["message"]


def test_missing_or_unknown_code_is_refused(client):
    missing = client.post("/api/v1/auth/login", json={})
    assert missing.status_code == 422 and error_code(missing) == "request.validation_failed"
    unknown = client.post("/api/v1/auth/login", json={"code": "made-up"})
    assert unknown.status_code == 401 and error_code(unknown) == "auth.code_invalid"


def test_wechat_rate_limit_becomes_a_429(client, sim):
    codes = [sim.login_code("erin")["code"] for _ in range(101)]
    statuses = [client.post("/api/v1/auth/login", json={"code": c}).status_code for c in codes]
    assert statuses[:100] == [200] * 100
    assert statuses[100] == 429


def test_forged_token_is_refused(client, sim):
    headers = login(client, sim, "frank")
    forged = headers["Authorization"][:-4] + "AAAA"
    response = client.get("/api/v1/me", headers={"Authorization": forged})
    assert response.status_code == 401 and error_code(response) == "auth.token_invalid"


def test_missing_token_is_refused(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and error_code(response) == "auth.required"
    response = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert error_code(response) == "auth.required"


def test_expired_token_is_refused(base_settings, migrated, sim, monkeypatch):
    app = make_app(replace(base_settings, resident_token_ttl_seconds=60))
    client = app.test_client()
    headers = login(client, sim, "gina")
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 61)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and error_code(response) == "auth.token_expired"


def test_logged_out_token_is_refused(client, sim):
    headers = login(client, sim, "hank")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and error_code(response) == "auth.token_revoked"


def test_revoking_all_sessions_refuses_older_tokens(client, sim, app_ctx):
    from wxapp.services.accounts.resident_login import revoke_all_sessions

    headers = login(client, sim, "ivy")
    resident_id = client.get("/api/v1/me", headers=headers).get_json()["id"]
    revoke_all_sessions(db.session.get(Resident, resident_id))
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and error_code(response) == "auth.token_revoked"
    assert client.get("/api/v1/me", headers=login(client, sim, "ivy")).status_code == 200


def test_disabled_account_cannot_log_in(client, sim, app_ctx):
    headers = login(client, sim, "jack")
    resident_id = client.get("/api/v1/me", headers=headers).get_json()["id"]
    db.session.get(Resident, resident_id).disabled = True
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    code = sim.login_code("jack")["code"]
    response = client.post("/api/v1/auth/login", json={"code": code})
    assert response.status_code == 403 and error_code(response) == "auth.account_disabled"


def test_a_simulator_on_another_port_is_named_in_the_log_and_residents_get_a_503(
        base_settings, migrated, caplog):
    import logging
    import socket

    with socket.socket() as probe:  # a port nothing listens on once this closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(replace(base_settings, wechat_api_base_url=f"http://127.0.0.1:{port}/"))
    with caplog.at_level(logging.WARNING):
        response = app.test_client().post("/api/v1/auth/login", json={"code": "any-code"})
    assert response.status_code == 503
    assert response.get_json()["error"]["message"] == "微信登录服务暂时繁忙，请稍后再试。"
    assert f"cannot reach http://127.0.0.1:{port}/sns/jscode2session" in caplog.text
    assert "WECHAT_API_BASE_URL" in caplog.text
    assert base_settings.miniprogram_app_secret not in caplog.text


# -- Redis unreachable -------------------------------------------------------------------------
def _assert_redis_unavailable(response):
    assert response.status_code == 503, response.get_json()
    assert error_code(response) == "service.redis_unavailable"
    assert "稍后" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_without_redis_login_answers_503_with_retry_after(app, base_settings, sim, outage):
    with app_without_redis(base_settings, outage) as broken:
        code = sim.login_code("olga")["code"]
        response = broken.test_client().post("/api/v1/auth/login", json={"code": code})
    _assert_redis_unavailable(response)


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_without_redis_a_booking_answers_503_and_books_nothing(
        app, client, base_settings, sim, outage, app_ctx):
    from wxapp.models import ScreeningBooking

    headers = login(client, sim, "pia")  # signed in while Redis was there
    with app_without_redis(base_settings, outage) as broken:
        response = broken.test_client().post(
            "/api/v1/me/bookings", json={"slot_id": 1},
            headers=dict(headers, **{"Idempotency-Key": "no-redis-key-01"}))
    _assert_redis_unavailable(response)
    assert db.session.scalar(select(func.count(ScreeningBooking.id))) == 0


def test_redis_client_has_short_explicit_timeouts(base_settings):
    with app_without_redis(base_settings, "refused") as broken, broken.app_context():
        from wxapp.extensions import get_redis

        settings = broken.config["WXAPP"]
        kwargs = get_redis().connection_pool.connection_kwargs
        assert kwargs["socket_connect_timeout"] == settings.redis_connect_timeout_seconds == 0.5
        assert kwargs["socket_timeout"] == settings.redis_read_timeout_seconds == 1.0
