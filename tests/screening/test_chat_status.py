"""预约 and 进度 in the official account show the resident's own bookings and applications."""
from __future__ import annotations

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.transactions import commit


def test_booking_keyword_lists_her_own_bookings(client, wechat, couple_for, make_slot):
    me = couple_for("linked")
    client.post("/api/v1/me/bookings", headers=me, json={"slot_id": make_slot()})
    resident = db.session.scalars(select(Resident)).one()
    resident.oa_openid = "o_linked"  # the same person follows the official account
    commit()
    reply = wechat.say("o_linked", "预约")["Content"]
    assert "您的孕前检查预约" in reply and "测试卫生院：已预约" in reply
    # Someone else's 预约 shows nothing of hers.
    other = wechat.say("o_someone_else", "预约")["Content"]
    assert "测试卫生院" not in other and "小程序" in other
    assert "还没有生育登记申请" in wechat.say("o_linked", "进度")["Content"]
