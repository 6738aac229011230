"""Residents talking to the official account: answers, suggestions, hand-over, feedback."""
from __future__ import annotations

from sqlalchemy import select

from tests.helpers import drain_jobs
from tests.wechat_server import ACCOUNT, next_msg_id
from wxapp.extensions import db
from wxapp.models import Handover, QuestionLog
from wxapp.wechat import pushes


def _say(wechat, openid, text):
    reply = wechat.say(openid, text)
    assert reply is not None
    return reply["Content"]


def test_everyday_question_gets_the_answer(wechat, knowledge_base):
    answer = _say(wechat, "o_q1", "准生证怎么办")
    assert "小程序" in answer and "生育登记" in answer
    assert "有用" in answer  # asks for feedback


def test_voice_question_is_answered_from_its_recognition(wechat, knowledge_base):
    response, query = wechat.push(pushes.voice_xml(ACCOUNT, "o_q2", next_msg_id(),
                                                   recognition="孕检要空腹吗。"))
    assert "空腹" in wechat.reply(response, query)["Content"]


def test_out_of_scope_question_is_admitted_not_guessed(wechat, knowledge_base):
    answer = _say(wechat, "o_q3", "明天天气怎么样")
    assert "答不上来" in answer and "人工" in answer


def test_number_after_suggestions_picks_one(wechat, knowledge_base, app_ctx):
    from wxapp.services.chat import state as chat_state

    chat_state.save("o_q4", {"suggestions": ["folic.what", "folic.get"]})
    answer = _say(wechat, "o_q4", "２")  # full-width digits from some keyboards
    assert "村卫生室" in answer  # folic.get, the second suggestion
    assert "0.4毫克" not in answer


def test_suggestion_list_offers_numbered_questions(wechat, knowledge_base, app_ctx):
    from wxapp.services.faq import bot as faq_bot

    # Whatever the wording, a middle-band match is shown as a numbered list.
    text = faq_bot.chat_texts.suggestions_text([{"code": "a", "question": "问题一"},
                                                {"code": "b", "question": "问题二"}])
    assert "1. 问题一" in text and "2. 问题二" in text and "回复数字" in text


def test_feedback_is_recorded_on_the_last_answer(wechat, knowledge_base, app_ctx):
    _say(wechat, "o_q5", "叶酸要吃多久")
    thanks = _say(wechat, "o_q5", "有用")
    assert "谢谢" in thanks
    log = db.session.scalars(select(QuestionLog).order_by(QuestionLog.id.desc())).first()
    assert log.feedback == "useful"


def test_question_log_keeps_no_identity(wechat, knowledge_base, app_ctx):
    _say(wechat, "o_private_person", "避孕套哪里领")
    columns = {c.name for c in QuestionLog.__table__.columns}
    assert not {"resident_id", "openid", "oa_openid"} & columns
    row = db.session.scalars(select(QuestionLog)).one()
    assert "o_private_person" not in repr(row.__dict__)


def test_hand_over_stores_the_message_and_staff_answer_reaches_the_resident(
        wechat, knowledge_base, client, staff_headers, sim, app_ctx):
    assert "直接发送" in _say(wechat, "o_handover", "转人工")
    assert "已收到" in _say(wechat, "o_handover", "我想问问我老婆的孕检结果什么时候出来")
    # WeChat saw her write, which opens its 48-hour window for customer-service messages.
    sim.call("POST", "/sim/user-wrote", json={"openid": "o_handover"})
    headers = staff_headers()
    open_items = client.get("/api/v1/staff/faq/handovers", headers=headers).get_json()
    assert [h["message"] for h in open_items] == ["我想问问我老婆的孕检结果什么时候出来"]
    answered = client.post(f"/api/v1/staff/faq/handovers/{open_items[0]['id']}/answer",
                           headers=headers, json={"answer": "结果一般一周内出来，到时通知您。"})
    assert answered.status_code == 200
    drain_jobs()
    sent = sim.outbox(touser="o_handover")["messages"]
    assert "一周内" in sent[0]["payload"]["text"]["content"]
    again = client.post(f"/api/v1/staff/faq/handovers/{open_items[0]['id']}/answer",
                        headers=headers, json={"answer": "再说一次"})
    assert again.status_code == 422
    stored = db.session.scalars(select(Handover)).one()
    raw = db.session.execute(db.text("SELECT message FROM faq_handovers")).scalar_one()
    assert stored.status == "answered" and "孕检" not in raw


def test_hand_over_can_be_cancelled(wechat, knowledge_base, app_ctx):
    _say(wechat, "o_cancel", "人工")
    assert "已取消" in _say(wechat, "o_cancel", "取消")
    assert db.session.scalars(select(Handover)).all() == []


def test_service_keyword_routes_to_the_action_not_the_faq(wechat, knowledge_base):
    assert "小程序" in _say(wechat, "o_kw", "预约")
    assert "领取码" in _say(wechat, "o_kw", "领取")


def test_a_second_or_late_rating_is_thanked_not_matched(wechat, knowledge_base, app_ctx):
    _say(wechat, "o_rate", "叶酸要吃多久")
    assert "谢谢" in _say(wechat, "o_rate", "有用")
    again = _say(wechat, "o_rate", "有用")
    assert "谢谢" in again and "您是不是想问" not in again
    logged = db.session.scalars(select(QuestionLog.text)).all()
    assert logged == ["叶酸要吃多久"]
    assert db.session.scalars(select(QuestionLog.feedback)).all() == ["useful"]


def test_thanks_and_okays_close_the_talk_without_a_guess(wechat, knowledge_base, app_ctx):
    for said in ("谢谢", "好的", "知道了", "收到", "嗯嗯", "OK", "好的，谢谢！"):
        reply = _say(wechat, "o_ack", said)
        assert "不客气" in reply, said
    assert db.session.scalars(select(QuestionLog)).all() == []


def test_keywords_wrapped_in_everyday_words_still_route(wechat, knowledge_base, app_ctx):
    assert "还没有生育登记申请" in _say(wechat, "o_kw2", "查看进度")
    assert "还没有生育登记申请" in _say(wechat, "o_kw2", "我的进度")
    assert "孕检预约" in _say(wechat, "o_kw2", "我想预约")
    assert "直接发送" in _say(wechat, "o_kw2", "帮我转人工")
    assert db.session.scalars(select(QuestionLog)).all() == []
