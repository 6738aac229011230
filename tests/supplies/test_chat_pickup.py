"""领取 in the official account: location → nearest points → item → a real pickup code."""
from __future__ import annotations

from sqlalchemy import select

from tests.wechat_server import ACCOUNT, next_msg_id
from wxapp.extensions import db
from wxapp.models import Pickup, PointItem
from wxapp.wechat import pushes


def _text(reply) -> str:
    assert reply is not None, "expected a reply"
    return reply.get("Content") or ""


def _send_location(wechat, openid, lat=31.963, lng=118.813) -> str:
    response, query = wechat.push(pushes.location_xml(ACCOUNT, openid, next_msg_id(), lat, lng))
    return _text(wechat.reply(response, query))


def test_pickup_code_by_chat(wechat, world):
    openid = "o_chat_pickup"
    assert "发送您的位置" in _text(wechat.say(openid, "领取"))
    points = _send_location(wechat, openid)
    assert points.splitlines()[1].startswith("1. 东湖村卫生室自助发放机")
    assert "避孕套（中号）" in points
    items = _text(wechat.say(openid, "1"))
    assert "1. 避孕套（中号）（每次最多10只）" in items
    assert "复方口服避孕药" not in items  # needs a doctor's guidance first
    reply = _text(wechat.say(openid, "1 5"))
    assert "您的领取码：" in reply
    code = reply.split("您的领取码：")[1][:8]
    pickup = db.session.scalars(select(Pickup).filter_by(code=code)).one()
    assert pickup.status == "held" and pickup.lines[0].quantity == 5
    db.session.expire_all()
    assert db.session.get(PointItem, (pickup.point_id, pickup.lines[0].item_id)).held == 5


def test_points_and_items_can_be_named_instead_of_numbered(wechat, world):
    openid = "o_chat_named"
    wechat.say(openid, "领取")
    _send_location(wechat, openid)
    items = _text(wechat.say(openid, "东湖村那个"))
    assert items.startswith("东湖村卫生室自助发放机可以领取")
    # Three sizes fit 套套: just those are listed, and the flow waits on.
    sizes = _text(wechat.say(openid, "套套"))
    assert sizes.splitlines() == ["请回复序号选择：", "1. 避孕套（中号）", "2. 避孕套（大号）",
                                  "3. 避孕套（小号）"]
    reply = _text(wechat.say(openid, "要大号的 4个"))
    assert "您的领取码：" in reply
    pickup = db.session.scalars(select(Pickup)).one()
    assert (pickup.lines[0].item.code, pickup.lines[0].quantity) == ("condom-l", 4)


def test_a_name_that_fits_nothing_listed_is_a_new_question(wechat, world, knowledge_base):
    openid = "o_chat_unnamed"
    wechat.say(openid, "领取")
    _send_location(wechat, openid)
    wechat.say(openid, "1")
    answer = _text(wechat.say(openid, "叶酸"))
    assert "叶酸" in answer and "领取码" not in answer
    assert db.session.scalars(select(Pickup)).first() is None


def test_quota_refusal_is_said_plainly_and_cancel_leaves(wechat, world):
    openid = "o_chat_quota"
    wechat.say(openid, "领取")
    _send_location(wechat, openid)
    wechat.say(openid, "1")
    too_many = _text(wechat.say(openid, "1 50"))
    assert "每次最多领取10只" in too_many
    assert "已退出领取" in _text(wechat.say(openid, "取消"))
    assert db.session.scalars(select(Pickup)).first() is None


def test_out_of_range_number_and_a_question_mid_flow(wechat, world, knowledge_base):
    openid = "o_chat_mixed"
    wechat.say(openid, "领取")
    _send_location(wechat, openid)
    assert "请回复 1 到 3 之间的序号" in _text(wechat.say(openid, "9"))
    # A real question is answered as a question, not taken as a choice.
    answer = _text(wechat.say(openid, "孕检要空腹吗"))
    assert "空腹" in answer


def test_location_far_from_any_point(wechat, world):
    reply = _send_location(wechat, "o_far", lat=45.75, lng=126.63)
    assert "附近暂时没有有货的发放点" in reply


def test_faq_quotes_the_quotas_the_office_set(wechat, world, knowledge_base, staff_headers,
                                              client):
    condom = world["items"]["condom-m"]
    client.put(f"/api/v1/staff/supplies/items/{condom}", headers=staff_headers(),
               json={"per_pickup_limit": 8})
    answer = wechat.say("o_quota_question", "避孕套一次最多领几个")["Content"]
    assert "每次最多8只" in answer and "每22天可领一次" in answer
