"""The simulator keeps WeChat's documented contract (shapes and error codes)."""
from __future__ import annotations

import pytest
import requests

from wxapp.config import (
    DEV_MINIPROGRAM_APP_ID,
    DEV_MINIPROGRAM_APP_SECRET,
    DEV_WECHAT_APP_ID,
    DEV_WECHAT_APP_SECRET,
)


def _get(sim, path, **params):
    return requests.get(sim.base_url + path, params=params, timeout=5).json()


def _token(sim, appid=DEV_WECHAT_APP_ID, secret=DEV_WECHAT_APP_SECRET):
    return _get(sim, "cgi-bin/token", grant_type="client_credential", appid=appid, secret=secret)


def _send_custom(sim, token, openid):
    # The user wrote just now: the 48-hour window is open (tested on its own below).
    sim.call("POST", "/sim/user-wrote", json={"openid": openid})
    return requests.post(sim.base_url + "cgi-bin/message/custom/send",
                         params={"access_token": token}, timeout=5,
                         json={"touser": openid, "msgtype": "text",
                               "text": {"content": "hi"}}).json()


def test_token_shape_and_credential_errors(sim):
    body = _token(sim)
    assert body["expires_in"] == 7200 and body["access_token"]
    assert _token(sim, appid="wx_unknown")["errcode"] == 40013
    assert _token(sim, secret="wrong")["errcode"] == 40001


def test_old_token_lives_five_minutes_after_a_new_one(sim):
    old = _token(sim)["access_token"]
    _token(sim)
    assert _send_custom(sim, old, "o_x")["errcode"] == 0
    sim.call("POST", "/sim/advance-clock", json={"seconds": 301})
    assert _send_custom(sim, old, "o_x")["errcode"] == 40001


def test_token_expires_after_7200_seconds(sim):
    token = _token(sim)["access_token"]
    sim.call("POST", "/sim/advance-clock", json={"seconds": 7201})
    assert _send_custom(sim, token, "o_x")["errcode"] == 42001


def test_missing_token_is_41001(sim):
    response = requests.post(sim.base_url + "cgi-bin/message/custom/send", json={}, timeout=5)
    assert response.json()["errcode"] == 41001


def test_stable_token_is_reused_until_forced(sim):
    def stable(force=False):
        return requests.post(sim.base_url + "cgi-bin/stable_token", timeout=5, json={
            "grant_type": "client_credential", "appid": DEV_WECHAT_APP_ID,
            "secret": DEV_WECHAT_APP_SECRET, "force_refresh": force}).json()["access_token"]

    first = stable()
    assert stable() == first
    assert stable(force=True) != first


def _code2session(sim, code, secret=DEV_MINIPROGRAM_APP_SECRET):
    return _get(sim, "sns/jscode2session", appid=DEV_MINIPROGRAM_APP_ID, secret=secret,
                js_code=code, grant_type="authorization_code")


def test_code_is_single_use_and_expires(sim):
    code = sim.login_code("amy")["code"]
    assert _code2session(sim, code)["openid"] == sim.login_code("amy")["openid"]
    assert _code2session(sim, code)["errcode"] == 40029
    late = sim.login_code("amy")["code"]
    sim.call("POST", "/sim/advance-clock", json={"seconds": 301})
    assert _code2session(sim, late)["errcode"] == 40029
    assert _code2session(sim, sim.login_code("amy")["code"], secret="bad")["errcode"] == 40125


def test_same_user_same_openid_and_one_unionid_across_apps(sim):
    mp = sim.login_code("ben")
    oa = sim.login_code("ben", appid=DEV_WECHAT_APP_ID)
    assert mp["openid"] == sim.login_code("ben")["openid"]
    assert mp["openid"] != oa["openid"] and mp["unionid"] == oa["unionid"]
    assert len(mp["openid"]) == 28 and mp["openid"].startswith("o")


def test_more_than_100_logins_a_minute_is_45011(sim):
    results = [_code2session(sim, sim.login_code("cat")["code"]) for _ in range(101)]
    assert all("openid" in r for r in results[:100]) and results[100]["errcode"] == 45011


@pytest.fixture
def mp_token(sim):
    return _token(sim, DEV_MINIPROGRAM_APP_ID, DEV_MINIPROGRAM_APP_SECRET)["access_token"]


def _subscribe(sim, token, openid, value="通过"):
    return requests.post(sim.base_url + "cgi-bin/message/subscribe/send",
                         params={"access_token": token}, timeout=5,
                         json={"touser": openid, "template_id": "TPL",
                               "data": {"thing1": {"value": value}}}).json()


def test_subscribe_send_needs_a_grant_which_is_used_up(sim, mp_token):
    openid = sim.login_code("dan")["openid"]
    assert _subscribe(sim, mp_token, openid)["errcode"] == 43101
    sim.call("POST", "/sim/grant-subscribe", json={"openid": openid, "template_id": "TPL"})
    assert _subscribe(sim, mp_token, openid)["errcode"] == 0
    assert _subscribe(sim, mp_token, openid)["errcode"] == 43101
    assert len(sim.outbox(kind="subscribe", touser=openid)["messages"]) == 1


def test_subscribe_thing_over_20_characters_is_47003(sim, mp_token):
    openid = sim.login_code("eve")["openid"]
    sim.call("POST", "/sim/grant-subscribe", json={"openid": openid, "template_id": "TPL"})
    assert _subscribe(sim, mp_token, openid, "字" * 21)["errcode"] == 47003
    assert _subscribe(sim, mp_token, openid, "字" * 20)["errcode"] == 0


def test_unknown_openid_is_40003(sim, mp_token):
    assert _subscribe(sim, mp_token, "o_never_seen")["errcode"] == 40003


def test_reset_empties_the_outbox(sim):
    token = _token(sim)["access_token"]
    _send_custom(sim, token, "o_x")
    sim.call("POST", "/sim/reset")
    assert sim.outbox()["messages"] == []


def test_customer_service_messages_need_the_user_to_have_written_within_48_hours(sim):
    token = _token(sim)["access_token"]
    send = lambda: requests.post(  # noqa: E731
        sim.base_url + "cgi-bin/message/custom/send", params={"access_token": token},
        timeout=5, json={"touser": "o_quiet", "msgtype": "text", "text": {"content": "hi"}}
    ).json()["errcode"]
    assert send() == 45015  # never wrote
    sim.call("POST", "/sim/user-wrote", json={"openid": "o_quiet"})
    assert send() == 0
    sim.call("POST", "/sim/advance-clock", json={"seconds": 48 * 3600 - 60})
    sim.call("POST", "/sim/user-wrote", json={"openid": "o_quiet"})  # wrote again: renewed
    sim.call("POST", "/sim/advance-clock", json={"seconds": 48 * 3600 - 60})
    token = _token(sim)["access_token"]
    assert send() == 0
    sim.call("POST", "/sim/advance-clock", json={"seconds": 120})
    token = _token(sim)["access_token"]
    assert send() == 45015
