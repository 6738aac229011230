"""WeChat's retries after a worker died, replayed signatures, plaintext in safe mode, and
correctly signed pushes we cannot read: what the /wechat callback answers to each."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.wechat_server import ACCOUNT, WeChatServer, next_msg_id
from wxapp.config import DEV_WECHAT_APP_ID, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_TOKEN
from wxapp.extensions import db, get_redis
from wxapp.handlers.dedupe import PushDeduplicator
from wxapp.models import Handover, Resident
from wxapp.wechat import pushes


class WorkerKilled(BaseException):
    """What a SIGKILLed worker amounts to: nothing after this line runs, no except catches."""


def _content(reply):
    assert reply is not None, "expected a reply"
    return reply.get("Content") or ""


# -- a worker that dies mid-push --------------------------------------------------------------
def test_retry_takes_over_a_push_whose_worker_died(wechat, app_ctx, monkeypatch):
    from wxapp.handlers import routes

    follow = routes._HANDLERS["event:subscribe"]

    def dies(message):
        raise WorkerKilled

    xml = pushes.event_xml(ACCOUNT, "o_worker_died", "subscribe", create_time=1700000200)
    with time_machine.travel(time.time(), tick=False) as clock:
        monkeypatch.setitem(routes._HANDLERS, "event:subscribe", dies)
        with pytest.raises(WorkerKilled):
            wechat.push(xml)
        monkeypatch.setitem(routes._HANDLERS, "event:subscribe", follow)
        clock.shift(5)  # WeChat's next try, about 5 s later, with a fresh signature
        response, query = wechat.push(xml)
    assert "欢迎关注" in _content(wechat.reply(response, query))
    assert db.session.scalar(select(func.count(Resident.id))) == 1


def test_the_taken_over_push_is_still_answered_once(wechat, app_ctx, monkeypatch):
    from wxapp.handlers import routes

    wechat.say("o_dies_mid_message", "人工")
    talk = routes._HANDLERS["text"]

    def dies(message):
        raise WorkerKilled

    xml = pushes.text_xml(ACCOUNT, "o_dies_mid_message", "孩子的户口怎么上", next_msg_id())
    with time_machine.travel(time.time(), tick=False) as clock:
        monkeypatch.setitem(routes._HANDLERS, "text", dies)
        with pytest.raises(WorkerKilled):
            wechat.push(xml)
        monkeypatch.setitem(routes._HANDLERS, "text", talk)
        clock.shift(5)
        second, q2 = wechat.push(xml)
        clock.shift(5)
        third, q3 = wechat.push(xml)
    assert _content(wechat.reply(second, q2)) == _content(wechat.reply(third, q3))
    assert db.session.scalar(select(func.count(Handover.id))) == 1


class FakeClock:
    """Wall-clock seconds that move only when the code under test sleeps."""

    def __init__(self, now: float):
        self.now = now
        self.on_sleep = None

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        if self.on_sleep:
            self.on_sleep()


def test_a_live_claim_is_waited_for_and_never_taken_over(app_ctx):
    redis = get_redis()
    clock = FakeClock(1_000_000.0)
    PushDeduplicator(redis, clock=clock).claim("wxapp:wx:push:o_live:1")
    clock.now += 0.5  # a duplicate arrives while the first worker is busy
    retry = PushDeduplicator(redis, wait_seconds=4.0, poll_seconds=0.5, clock=clock,
                             sleep=clock.sleep)
    assert retry.earlier_reply("wxapp:wx:push:o_live:1") == ""
    # Still the first worker's claim: nobody handled it a second time.
    assert redis.get("wxapp:wx:push:o_live:1").endswith(b":1000000000")


def test_a_live_claim_that_answers_during_the_wait_gives_its_answer(app_ctx):
    redis = get_redis()
    clock = FakeClock(1_000_000.0)
    first = PushDeduplicator(redis, clock=clock)
    first.claim("wxapp:wx:push:o_live:2")
    polls = []

    def first_worker_finishes():
        polls.append(1)
        if len(polls) == 3:
            first.remember("wxapp:wx:push:o_live:2", "<xml>answer</xml>")

    clock.on_sleep = first_worker_finishes
    retry = PushDeduplicator(redis, wait_seconds=4.0, poll_seconds=0.5, clock=clock,
                             sleep=clock.sleep)
    assert retry.earlier_reply("wxapp:wx:push:o_live:2") == "<xml>answer</xml>"


def test_concurrent_retries_take_over_a_stale_claim_once(app_ctx):
    redis = get_redis()
    died_at = time.time() - 6
    PushDeduplicator(redis, clock=lambda: died_at).claim("wxapp:wx:push:o_dead:3")
    barrier = threading.Barrier(6)
    outcomes = []

    def retry():
        dedupe = PushDeduplicator(redis, wait_seconds=0)
        barrier.wait()
        outcomes.append(dedupe.earlier_reply("wxapp:wx:push:o_dead:3"))

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [""] * 5 + [None]  # None: this one handles it


# -- replayed signatures ----------------------------------------------------------------------
def test_a_signed_query_cannot_carry_another_body(client):
    timestamp, nonce = str(int(time.time())), "replayme01"
    query, body = pushes.build_push(pushes.text_xml(ACCOUNT, "o_victim", "你好", next_msg_id()),
                                    DEV_WECHAT_TOKEN, "plaintext", timestamp=timestamp,
                                    nonce=nonce)
    assert client.post("/wechat", query_string=query, data=body,
                       content_type="text/xml").status_code == 200
    forged = pushes.text_xml(ACCOUNT, "o_victim", "人工", next_msg_id()).encode()
    replayed = client.post("/wechat", query_string=query, data=forged, content_type="text/xml")
    assert replayed.status_code == 403


def test_a_network_retry_of_the_same_request_gets_the_same_answer(client):
    query, body = pushes.build_push(pushes.text_xml(ACCOUNT, "o_retry", "电话", next_msg_id()),
                                    DEV_WECHAT_TOKEN, "plaintext")
    first = client.post("/wechat", query_string=query, data=body, content_type="text/xml")
    again = client.post("/wechat", query_string=query, data=body, content_type="text/xml")
    assert first.status_code == again.status_code == 200
    assert first.data == again.data and b"<Content>" in first.data


@pytest.fixture
def safe_mode_app(app, base_settings):
    safe_app = make_app(replace(base_settings, wechat_safe_mode=True))
    with app.app_context():
        safe_app.extensions["wxapp_redis"] = get_redis()
    return safe_app


def test_safe_mode_refuses_plaintext_pushes(safe_mode_app):
    server = WeChatServer(safe_mode_app.test_client(), "plaintext")
    response, _ = server.push(pushes.text_xml(ACCOUNT, "o_plain", "你好", next_msg_id()))
    assert response.status_code == 403


@pytest.mark.parametrize("mode", ["safe", "compatible"])
def test_safe_mode_answers_encrypted_pushes(safe_mode_app, mode):
    server = WeChatServer(safe_mode_app.test_client(), mode)
    assert "预约" in _content(server.say("o_encrypted", "你好"))


def test_production_requires_encrypted_pushes_unless_told_otherwise(base_settings):
    production = replace(base_settings, env="production")
    assert production.requires_encrypted_pushes
    assert not replace(production, wechat_safe_mode=False).requires_encrypted_pushes
    assert not base_settings.requires_encrypted_pushes


# -- correctly signed, but not a push we can read ---------------------------------------------
GOOD_HEAD = (f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
             "<FromUserName><![CDATA[o_odd]]></FromUserName>")
UNREADABLE = {
    "empty": "<xml></xml>",
    "no MsgType": f"<xml>{GOOD_HEAD}<CreateTime>1700000000</CreateTime><Content>hi</Content>"
                  "<MsgId>1</MsgId></xml>",
    "nested MsgType": f"<xml>{GOOD_HEAD}<CreateTime>1700000000</CreateTime>"
                      "<MsgType><a>text</a></MsgType><Content>hi</Content><MsgId>2</MsgId></xml>",
    "CreateTime=abc": f"<xml>{GOOD_HEAD}<CreateTime>abc</CreateTime><MsgType>text</MsgType>"
                      "<Content>hi</Content><MsgId>3</MsgId></xml>",
    "event CreateTime=abc": f"<xml>{GOOD_HEAD}<CreateTime>abc</CreateTime>"
                            "<MsgType>event</MsgType><Event>subscribe</Event></xml>",
    "nested FromUserName": "<xml><ToUserName>x</ToUserName><FromUserName><a>o</a>"
                           "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
                           "<Content>hi</Content><MsgId>4</MsgId></xml>",
}


def _signed_plaintext(client, body: bytes):
    query = pushes.verification_query(DEV_WECHAT_TOKEN, "")
    query.pop("echostr")
    return client.post("/wechat", query_string=query, data=body, content_type="text/xml")


@pytest.mark.parametrize("xml", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_signed_but_unreadable_plaintext_push_is_answered_success(client, xml):
    response = _signed_plaintext(client, xml.encode("utf-8"))
    assert (response.status_code, response.data) == (200, b"success")


def test_signed_latin1_push_is_answered_success(client):
    body = ('<?xml version="1.0" encoding="ISO-8859-1"?>'
            f'<xml>{GOOD_HEAD}<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>'
            '<Content>café</Content><MsgId>5</MsgId></xml>').encode("latin-1")
    response = _signed_plaintext(client, body)
    assert (response.status_code, response.data) == (200, b"success")


@pytest.mark.parametrize("xml", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_signed_but_unreadable_encrypted_push_is_answered_success(client, xml):
    from wechatpy.crypto import WeChatCrypto

    timestamp, nonce = str(int(time.time())), f"n{next_msg_id()}"
    crypto = WeChatCrypto(DEV_WECHAT_TOKEN, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_APP_ID)
    envelope = pushes.parse_message_envelope(crypto.encrypt_message(xml, nonce, timestamp))
    query = {"signature": pushes.verification_query(DEV_WECHAT_TOKEN, "", timestamp,
                                                    nonce)["signature"],
             "timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes",
             "msg_signature": envelope["MsgSignature"]}
    body = f"<xml><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    response = client.post("/wechat", query_string=query, data=body, content_type="text/xml")
    assert (response.status_code, response.data) == (200, b"success")


def test_unreadable_push_with_a_wrong_signature_is_still_a_403(client):
    query = pushes.verification_query("not-our-token", "")
    response = client.post("/wechat", query_string=query, data=UNREADABLE["no MsgType"],
                           content_type="text/xml")
    assert response.status_code == 403
