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
    "smalltalk": ("只会回答", "只会回答"),
}


@pytest.mark.parametrize("said,intent", [
    ("转人工", "human"), ("轉人工", "human"), ("人工客服", "human"), ("帮我转人工", "human"),
    ("我的进度", "progress"), ("查看进度", "progress"), ("我的申請", "progress"),
    ("预约", "booking"), ("我想预约", "booking"),
    ("领取", "pickup"), ("领取码", "pickup"),
    ("谢谢", "thanks"), ("好的，谢谢！", "thanks"), ("👍", "thanks"),
    ("你好", "greeting"), ("您好，在吗", "greeting"),
    ("你吃饭了吗", "smalltalk"), ("你是机器人吗？", "smalltalk"), ("现在几点了", "smalltalk"),
    # 机器 had answered with the empty cabinet, 吃 with choosing a pill; 侬 is Wu 你.
    ("你是人还是机器？", "smalltalk"), ("吃了没你", "smalltalk"), ("侬是真人伐", "smalltalk"),
    ("你系咪机器人", "smalltalk"), ("你系唔系真人", "smalltalk"),
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


@pytest.mark.parametrize("said,intent", [
    # Typed twice, or wrapped in a word that is itself a phrase.
    ("好的好的", "thanks"), ("谢谢谢谢", "thanks"), ("感谢感谢", "thanks"), ("谢谢了", "thanks"),
    ("人工人工", "human"), ("好的，谢谢谢谢", "thanks"),
    # Acknowledgements the matcher used to answer with an entry (知道 is in 被别人知道).
    ("知道啦", "thanks"), ("晓得了", "thanks"), ("嗯好的", "thanks"), ("了解了", "thanks"),
    ("客服在吗", "human"), ("能转人工吗", "human"), ("我要投诉", "human"),
    ("我的登记", "progress"), ("审核情况", "progress"), ("预约查询", "booking"),
    ("取码", "pickup"), ("咨询电话", "contact"), ("返回菜单", "menu"),
    # Two phrases of one intent one after the other.
    ("早上好在吗", "greeting"), ("晚上好，有人吗", "greeting"), ("谢谢你辛苦了", "thanks"),
    ("您好 在么", "greeting"), ("有人没", "greeting"),
    # The office or its staff addressed by name (您好 在么 had been answered with an entry).
    ("计生办你好", "greeting"), ("你好，卫健办", "greeting"), ("老师在吗", "greeting"),
    ("谢谢同志", "thanks"), ("计生办电话", "contact"), ("同志，转人工", "human"),
    ("您好小助手", "greeting"), ("谢谢小助手", "thanks"), ("求真人客服捏", "human"),
    # Two phrases, the first wrapped (you-are-a-boy-or-a-girl had been answered with the
    # sex-selection entry).
    ("你是男生还是女生啊，你几岁", "smalltalk"),
    # Typed in pinyin without picking the characters, wrapped or not.
    ("zhuan rengong", "human"), ("Zhuan RenGong", "human"), ("qing zhuan ren gong ba", "human"),
    ("wode jindu", "progress"), ("yuyue", "booking"), ("lingqu", "pickup"),
    ("xiexie", "thanks"), ("ni hao", "greeting"), ("dianhua", "contact"),
])
def test_everyday_forms_of_a_command_route(said, intent):
    assert route(said) == intent


@pytest.mark.parametrize("question", ["孕检预约了去不了怎么办", "我想问一下人工流产在哪做",
                                      "领取码过期了怎么办", "知道吗", "不知道怎么领",
                                      "可以领几个", "谢谢你们，还想问下登记要多久",
                                      "计生办在哪", "老师孕检免费吗", "计生办", "同志",
                                      "小助手孕检免费吗", "小助手"])
def test_a_question_that_mentions_a_command_word_is_still_a_question(question):
    assert route(question) is None


@pytest.mark.parametrize("typed", ["yuyue le qu bu liao zenme ban", "lingqu ma guoqi le",
                                   "xiexie nimen haiyou dengji yao duojiu", "hao", "kele",
                                   "renwu"])
def test_pinyin_that_only_contains_a_command_is_not_the_command(typed):
    # A phrase's spelling is the whole message or nothing; single syllables (hao) are as
    # likely English as Chinese.
    assert route(typed) is None


def test_two_commands_of_different_intents_are_neither():
    # Which one was meant is not for the router to guess: the knowledge base reads it.
    assert route("进度预约") is None and route("预约领取") is None


def test_a_spelling_two_intents_share_routes_to_neither():
    from wxapp.faq.intents import _by_spelling
    assert _by_spelling({"有用": "useful", "游泳": "chat", "转人工": "human"}) == \
        {"zhuanrengong": "human"}


def test_a_command_in_pinyin_is_the_command_in_both_channels(client, wechat, knowledge_base,
                                                              app_ctx):
    reply = wechat.say("o_cmd_pinyin", "zhuan rengong")["Content"]
    assert EXPECTED["human"][0] in reply, reply
    body = client.post("/api/v1/faq/ask", json={"question": "zhuan rengong"}).get_json()
    assert body["intent"] == "human" and EXPECTED["human"][1] in body["answer"]
    assert db.session.scalars(select(QuestionLog)).all() == []


def test_a_harmful_neighbour_is_not_given_as_the_answer_in_the_question_box(client,
                                                                             knowledge_base):
    body = client.post("/api/v1/faq/ask",
                       json={"question": "避孕药吃多了以后还能怀上吗"}).get_json()
    assert body["matched"] is False and body["code"] is None
    assert "停用" not in body["answer"]
