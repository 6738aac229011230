"""Outbound calls to WeChat: routed to WECHAT_API_BASE_URL, tokens shared, errors mapped."""
from __future__ import annotations

import socket

import pytest
import requests

from wxapp.config import DEV_WECHAT_APP_ID, DEV_WECHAT_APP_SECRET
from wxapp.extensions import get_redis
from wxapp.wechat.client import OutboundBlocked, RoutedWeChatClient, official_account_client


@pytest.fixture
def token_fetches(monkeypatch):
    calls = []
    real = RoutedWeChatClient._fetch_token_from_wechat

    def counting(self):
        calls.append(self.appid)
        return real(self)

    monkeypatch.setattr(RoutedWeChatClient, "_fetch_token_from_wechat", counting)
    return calls


def _worker_client(sim) -> RoutedWeChatClient:
    """A client as another gunicorn worker would build it: same Redis, own process state."""
    return RoutedWeChatClient(DEV_WECHAT_APP_ID, DEV_WECHAT_APP_SECRET, sim.base_url, get_redis())


def _openid(sim, user):
    """A follower who has just written to the account: customer-service messages may go."""
    openid = sim.login_code(user, appid=DEV_WECHAT_APP_ID)["openid"]
    sim.call("POST", "/sim/user-wrote", json={"openid": openid})
    return openid


def test_every_wechatpy_root_is_rebased_onto_the_configured_base(app_ctx, sim):
    client = official_account_client()
    assert client.rebase(client.API_BASE_URL + "message/custom/send") == \
        sim.base_url + "cgi-bin/message/custom/send"
    rebased = client.rebase("https://api.weixin.qq.com/cgi-bin/token")
    assert rebased == sim.base_url + "cgi-bin/token"
    assert client.rebase(client.wxa.API_BASE_URL + "sns/jscode2session") == \
        sim.base_url + "sns/jscode2session"
    with pytest.raises(OutboundBlocked):
        client.rebase("https://mp.weixin.qq.com/cgi-bin/showqrcode")


def test_the_test_suite_cannot_reach_a_real_host():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(AssertionError):
            sock.connect(("203.0.113.10", 443))
    finally:
        sock.close()


def test_workers_share_one_access_token(app_ctx, sim, token_fetches):
    openid = _openid(sim, "rita")
    _worker_client(sim).message.send_text(openid, "第一条")
    _worker_client(sim).message.send_text(openid, "第二条")
    assert token_fetches == [DEV_WECHAT_APP_ID]
    assert [m["payload"]["text"]["content"] for m in sim.outbox(touser=openid)["messages"]] == \
        ["第一条", "第二条"]


def test_a_token_retired_by_a_newer_one_is_replaced_once_and_the_call_retried(
        app_ctx, sim, token_fetches):
    openid = _openid(sim, "sam")
    client = _worker_client(sim)
    client.message.send_text(openid, "before")
    # Someone else (another deployment, the console) fetches a token: ours dies 5 minutes later.
    requests.get(sim.base_url + "cgi-bin/token", timeout=5, params={
        "grant_type": "client_credential", "appid": DEV_WECHAT_APP_ID,
        "secret": DEV_WECHAT_APP_SECRET})
    sim.call("POST", "/sim/advance-clock", json={"seconds": 301})
    client.message.send_text(openid, "after")
    assert len(token_fetches) == 2
    contents = [m["payload"]["text"]["content"] for m in sim.outbox(touser=openid)["messages"]]
    assert contents == ["before", "after"]


def test_an_expired_token_is_refreshed(app_ctx, sim, token_fetches):
    openid = _openid(sim, "tom")
    client = _worker_client(sim)
    client.message.send_text(openid, "one")
    sim.call("POST", "/sim/advance-clock", json={"seconds": 7201})
    client.message.send_text(openid, "two")
    assert len(token_fetches) == 2


def test_login_does_not_fetch_an_access_token(client, sim, token_fetches):
    code = sim.login_code("una")["code"]
    assert client.post("/api/v1/auth/login", json={"code": code}).status_code == 200
    assert token_fetches == []
