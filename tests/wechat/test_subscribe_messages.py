"""Subscribe messages: one-time grants per template, thing.* within 20 characters, 43101."""
from __future__ import annotations

from sqlalchemy import select

from tests.helpers import drain_jobs, login
from wxapp.extensions import db
from wxapp.models import NoticeDelivery, ResidentNotice, SubscribeGrant
from wxapp.services.resident_notices import BySubscribe, tell
from wxapp.transactions import commit, rollback

TEMPLATE = "TPL_REGISTRATION_RESULT"


def _resident_with_grant(client, sim, user, grants=1):
    headers = login(client, sim, user)
    for _ in range(grants):
        client.post("/api/v1/me/subscribe-grants", headers=headers,
                    json={"results": {TEMPLATE: "accept"}})
    resident_id = client.get("/api/v1/me", headers=headers).get_json()["id"]
    openid = sim.login_code(user)["openid"]
    return resident_id, openid


def _wechat_grant(sim, openid):
    """The resident tapped "allow" in wx.requestSubscribeMessage: WeChat's side of it."""
    sim.call("POST", "/sim/grant-subscribe", json={"openid": openid, "template_id": TEMPLATE,
                                                   "count": 1})


def _tell(resident_id, data):
    tell(resident_id, "test", dedupe_key="test", title="测试", text="测试",
         subscribe=BySubscribe(TEMPLATE, data, "pages/registration/detail"))


def _notify(resident_id, data):
    _tell(resident_id, data)
    commit()
    drain_jobs()


def _statuses(resident_id):
    return list(db.session.scalars(
        select(NoticeDelivery.status).join(ResidentNotice)
        .where(ResidentNotice.resident_id == resident_id, NoticeDelivery.channel == "subscribe")
        .order_by(NoticeDelivery.id)))


def test_granted_message_is_sent_and_uses_up_the_grant(client, sim, app_ctx):
    resident_id, openid = _resident_with_grant(client, sim, "vera")
    _wechat_grant(sim, openid)
    _notify(resident_id, {"thing1": "生育登记已通过", "time2": "2026-11-24"})
    sent = sim.outbox(touser=openid)["messages"]
    assert len(sent) == 1 and sent[0]["payload"]["data"]["thing1"]["value"] == "生育登记已通过"
    db.session.expire_all()
    assert _statuses(resident_id) == ["sent"]
    grant = db.session.scalars(select(SubscribeGrant).filter_by(resident_id=resident_id)).one()
    assert grant.remaining == 0


def test_long_thing_values_are_shortened_to_twenty_characters(client, sim, app_ctx):
    resident_id, openid = _resident_with_grant(client, sim, "will")
    _wechat_grant(sim, openid)
    _notify(resident_id, {"thing1": "您的生育登记申请需要补充户口簿首页和本人页的照片后再提交"})
    value = sim.outbox(touser=openid)["messages"][0]["payload"]["data"]["thing1"]["value"]
    assert len(value) == 20 and value.endswith("…")


def test_without_a_grant_nothing_is_sent_and_that_is_not_an_error(client, sim, app_ctx):
    resident_id, openid = _resident_with_grant(client, sim, "xena", grants=0)
    _notify(resident_id, {"thing1": "结果"})
    assert sim.outbox(touser=openid)["messages"] == []
    assert _statuses(resident_id) == ["no_grant"]


def test_wechat_saying_43101_is_recorded_as_no_grant(client, sim, app_ctx):
    # We think we hold a grant, WeChat does not (the resident changed settings): normal outcome.
    resident_id, _openid = _resident_with_grant(client, sim, "yuri")
    _notify(resident_id, {"thing1": "结果"})
    db.session.expire_all()
    assert _statuses(resident_id) == ["no_grant"]
    grant = db.session.scalars(select(SubscribeGrant).filter_by(resident_id=resident_id)).one()
    assert grant.remaining == 0


def test_nothing_is_sent_when_the_transaction_rolls_back(client, sim, app_ctx):
    resident_id, openid = _resident_with_grant(client, sim, "zoe")
    _wechat_grant(sim, openid)
    _tell(resident_id, {"thing1": "x"})
    rollback()
    commit()
    drain_jobs()
    assert sim.outbox(touser=openid)["messages"] == []


def test_me_says_which_template_to_ask_for_at_each_moment(client, sim, app_ctx):
    headers = login(client, sim, "ask-anna")
    templates = client.get("/api/v1/me", headers=headers).get_json()["notice_templates"]
    assert templates == {"registration_result": "TPL_REGISTRATION_RESULT",
                         "screening_notice": "TPL_SCREENING_NOTICE",
                         "pickup_follow_up": "TPL_PICKUP_FOLLOW_UP"}
