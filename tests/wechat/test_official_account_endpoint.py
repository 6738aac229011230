"""The /wechat callback as WeChat's servers use it."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from tests.wechat_server import ACCOUNT, WeChatServer, next_msg_id
from wxapp.config import DEV_WECHAT_TOKEN
from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.wechat import pushes


def _content(reply: dict | None) -> str:
    assert reply is not None, "expected a reply"
    return reply.get("Content") or reply.get("content") or ""


def test_url_verification_echoes_only_with_a_valid_signature(client):
    query = pushes.verification_query(DEV_WECHAT_TOKEN, "echo-123")
    assert client.get("/wechat", query_string=query).data == b"echo-123"
    forged = dict(query, signature="0" * 40)
    response = client.get("/wechat", query_string=forged)
    assert response.status_code == 403 and b"echo-123" not in response.data


def test_text_is_answered_in_every_mode(any_mode_wechat):
    reply = any_mode_wechat.say("o_resident_a", "你好")
    assert reply["ToUserName"] == "o_resident_a"
    assert "预约" in _content(reply)


def test_bad_signature_is_refused_with_403(wechat):
    response, _ = wechat.push(pushes.text_xml(ACCOUNT, "o_a", "hi", next_msg_id()),
                              token="not-our-token")
    assert response.status_code == 403


def test_push_with_a_forged_message_signature_is_refused(wechat):
    response, _ = wechat.push(pushes.text_xml(ACCOUNT, "o_a", "hi", next_msg_id()),
                              query_overrides={"msg_signature": "f" * 40})
    assert response.status_code == 403


def test_push_older_than_five_minutes_is_refused(wechat):
    stale = str(int(time.time()) - 301)
    response, _ = wechat.push(pushes.text_xml(ACCOUNT, "o_a", "hi", next_msg_id()),
                              timestamp=stale)
    assert response.status_code == 403


def test_push_from_the_future_is_refused(wechat):
    response, _ = wechat.push(pushes.text_xml(ACCOUNT, "o_a", "hi", next_msg_id()),
                              timestamp=str(int(time.time()) + 400))
    assert response.status_code == 403


def _signed_raw_post(client, body: bytes):
    query = pushes.verification_query(DEV_WECHAT_TOKEN, "")
    query.pop("echostr")
    return client.post("/wechat", query_string=query, data=body, content_type="text/xml")


def test_entity_expansion_is_refused_without_crashing(client):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b'<xml><ToUserName>x</ToUserName><FromUserName>y</FromUserName>'
            b'<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&c;</Content>'
            b'<MsgId>1</MsgId></xml>')
    assert _signed_raw_post(client, bomb).status_code == 400


def test_external_entity_is_refused(client):
    xxe = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<xml><Content>&e;</Content></xml>')
    assert _signed_raw_post(client, xxe).status_code == 400


def test_malformed_xml_is_a_400(client):
    assert _signed_raw_post(client, b"<xml><MsgType>text</MsgType>").status_code == 400
    assert _signed_raw_post(client, b"").status_code == 400


def test_oversized_push_is_a_400(client):
    huge = pushes.text_xml(ACCOUNT, "o_a", "长" * 30000, next_msg_id()).encode()
    assert len(huge) > 64 * 1024
    assert _signed_raw_post(client, huge).status_code == 400


def test_retried_push_gets_the_same_reply_and_is_processed_once(wechat, app_ctx):
    xml = pushes.event_xml(ACCOUNT, "o_new_follower", "subscribe", create_time=1700000000)
    first, q1 = wechat.push(xml)
    second, q2 = wechat.push(xml)
    assert _content(wechat.reply(first, q1)) == _content(wechat.reply(second, q2))
    assert "欢迎关注" in _content(wechat.reply(first, q1))
    count = db.session.scalar(select(func.count(Resident.id)))
    assert count == 1


def test_same_msg_id_from_two_residents_is_two_messages(wechat):
    msg_id = next_msg_id()
    assert wechat.say("o_first", "菜单", msg_id=msg_id) is not None
    assert wechat.say("o_second", "电话", msg_id=msg_id) is not None


def test_duplicate_push_is_answered_once_across_two_app_instances(app, base_settings):
    from tests.conftest import make_app
    from wxapp.extensions import get_redis

    second_app = make_app(base_settings)
    with app.app_context():
        shared = get_redis()
    # Without REDIS_URL each app has its own in-process Redis; share it as workers share one.
    second_app.extensions["wxapp_redis"] = shared
    xml = pushes.event_xml(ACCOUNT, "o_two_workers", "subscribe", create_time=1700000100)
    one = WeChatServer(app.test_client(), "safe")
    two = WeChatServer(second_app.test_client(), "safe")
    r1, q1 = one.push(xml)
    r2, q2 = two.push(xml)
    assert _content(one.reply(r1, q1)) == _content(two.reply(r2, q2))
    with app.app_context():
        assert db.session.scalar(select(func.count(Resident.id))) == 1


def test_follow_and_unfollow_are_recorded(wechat, app_ctx):
    response, query = wechat.push(pushes.event_xml(ACCOUNT, "o_follow", "subscribe"))
    assert "欢迎关注" in _content(wechat.reply(response, query))
    response, _ = wechat.push(pushes.event_xml(ACCOUNT, "o_follow", "unsubscribe",
                                               create_time=int(time.time()) + 1))
    assert response.data == b"success"
    resident = db.session.scalars(select(Resident).filter_by(oa_openid="o_follow")).one()
    assert resident.follows_official_account is False and resident.unfollowed_at is not None


def test_menu_click_answers_and_view_says_nothing(wechat):
    response, query = wechat.push(pushes.event_xml(ACCOUNT, "o_a", "CLICK", "MENU_CONTACT"))
    assert "办公时间" in _content(wechat.reply(response, query))
    response, _ = wechat.push(pushes.event_xml(ACCOUNT, "o_a", "VIEW", "https://example.org/"))
    assert response.data == b"success"


def test_voice_uses_the_recognised_text(wechat):
    xml = pushes.voice_xml(ACCOUNT, "o_voice", next_msg_id(), recognition="电话。")
    response, query = wechat.push(xml)
    assert "办公时间" in _content(wechat.reply(response, query))


def test_voice_without_recognition_asks_again_and_gives_a_number_to_call(wechat, app):
    response, query = wechat.push(pushes.voice_xml(ACCOUNT, "o_voice", next_msg_id()))
    reply = _content(wechat.reply(response, query))
    assert "没听清" in reply and app.config["WXAPP"].office_phone in reply


def test_image_and_location_get_a_polite_reply(wechat):
    response, query = wechat.push(pushes.image_xml(ACCOUNT, "o_img", next_msg_id()))
    assert "文字或语音" in _content(wechat.reply(response, query))
    response, query = wechat.push(pushes.location_xml(ACCOUNT, "o_img", next_msg_id()))
    assert "发放点" in _content(wechat.reply(response, query))


def test_handler_failure_is_answered_politely_not_with_a_5xx(wechat, monkeypatch):
    from wxapp.handlers import routes

    def broken(message):
        raise RuntimeError("database went away")

    monkeypatch.setitem(routes._HANDLERS, "text", broken)
    response, query = wechat.push(pushes.text_xml(ACCOUNT, "o_a", "你好", next_msg_id()))
    assert response.status_code == 200
    assert "系统开小差" in _content(wechat.reply(response, query))


def test_conversation_state_read_with_the_claim_is_used_once(wechat, app_ctx):
    from wxapp.models import Handover

    wechat.say("o_leaves_a_message", "人工")
    xml = pushes.text_xml(ACCOUNT, "o_leaves_a_message", "孩子的户口怎么上", next_msg_id())
    first, q1 = wechat.push(xml)
    retried, q2 = wechat.push(xml)
    assert _content(wechat.reply(first, q1)) == _content(wechat.reply(retried, q2))
    # The hand-over state was consumed by the first copy: one message, and the next text is
    # a question again, not a second message to staff.
    assert db.session.scalar(select(func.count(Handover.id))) == 1
    wechat.say("o_leaves_a_message", "孩子的户口怎么上")
    assert db.session.scalar(select(func.count(Handover.id))) == 1
