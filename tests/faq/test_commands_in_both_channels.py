"""Commands typed instead of questions (转人工, 我的进度, 预约, 领取, 谢谢, 你好) route the same way
in the official account and in the mini-program's question box: one router, two renderings."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wxapp.extensions import db
from wxapp.faq.intents import route
from wxapp.models import QuestionLog

# What each channel shows for an intent: the official account runs its flow, the mini-program
# points to its page.
EXPECTED = {
    "human": ("直接发送您想咨询的问题", "公众号里回复“人工”"),
    "progress": ("还没有生育登记申请", "「我的申请」"),
    "booking": ("孕检预约", "「孕检预约」"),
    "pickup": ("请发送您的位置", "「免费药具」"),
    "thanks": ("不客气", "不客气"),
    "greeting": ("【进度】", "直接输入您的问题"),
}


@pytest.mark.parametrize("said,intent", [
    ("转人工", "human"), ("轉人工", "human"), ("人工客服", "human"), ("帮我转人工", "human"),
    ("我的进度", "progress"), ("查看进度", "progress"), ("我的申請", "progress"),
    ("预约", "booking"), ("我想预约", "booking"),
    ("领取", "pickup"), ("领取码", "pickup"),
    ("谢谢", "thanks"), ("好的，谢谢！", "thanks"), ("👍", "thanks"),
    ("你好", "greeting"), ("您好，在吗", "greeting"),
])
def test_a_command_routes_alike_in_both_channels(said, intent, client, wechat, knowledge_base,
                                                 app_ctx):
    assert route(said) == intent
    official, mini = EXPECTED[intent]
    reply = wechat.say("o_cmd_" + intent, said)["Content"]
    assert official in reply, reply
    body = client.post("/api/v1/faq/ask", json={"question": said}).get_json()
    assert body["intent"] == intent and body["matched"] is True
    assert mini in body["answer"], body["answer"]
    assert "答不上来" not in body["answer"]
    # Commands are not questions: nothing for staff to review in the unanswered list.
    assert db.session.scalars(select(QuestionLog)).all() == []


@pytest.mark.parametrize("question", ["孕检预约了去不了怎么办", "我想问一下人工流产在哪做",
                                      "领取码过期了怎么办"])
def test_a_question_that_mentions_a_command_word_is_still_a_question(question):
    assert route(question) is None


def test_a_harmful_neighbour_is_not_given_as_the_answer_in_the_question_box(client,
                                                                             knowledge_base):
    body = client.post("/api/v1/faq/ask",
                       json={"question": "避孕药吃多了以后还能怀上吗"}).get_json()
    assert body["matched"] is False and body["code"] is None
    assert "停用" not in body["answer"]
