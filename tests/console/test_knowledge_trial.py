"""Try before saving: the editor shows what the bot answers a question now and with the
unsaved edit, side by side, and trying changes nothing residents get (no new answer, no
logged question, no hit counted, the live index not rebuilt)."""
from __future__ import annotations

import pytest

from tests.console.knowledge_world import (
    ENTRIES,
    entry,
    form_of,
    logged_questions,
    resident_asks,
    seed_knowledge,
)
from wxapp.services.faq.live_index import VERSION_KEY

NEW_PHRASING = "怀娃前吃的那个药片子村里给不给"


@pytest.fixture(autouse=True)
def knowledge(app):
    seed_knowledge(app)


def _try(console, client, data):
    response = console.post(client, f"{ENTRIES}/try", data=data, htmx=True,
                            token_from=f"{ENTRIES}/folic.get")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _index_version(app):
    from wxapp.extensions import get_redis

    with app.app_context():
        return get_redis().get(VERSION_KEY)


def test_an_unsaved_similar_question_is_answered_side_by_side_and_nothing_changes(
        app, console, client):
    staff_client, _ = console.sign_in("reviewer")
    now = resident_asks(client, NEW_PHRASING)
    assert now["code"] != "folic.get"
    asked, version = logged_questions(app), _index_version(app)
    saved = entry(app, "folic.get")

    body = _try(console, staff_client, {
        **form_of(saved, new_similar=[NEW_PHRASING]), "original_code": "folic.get",
        "trial_question": NEW_PHRASING})
    assert "现在的回答" in body and "保存修改后的回答" in body
    after = body.split("保存修改后的回答")[-1]
    assert "直接回答" in after and "folic.get" in after and "本条目" in after
    assert "把握 100%" in after and "有变化" in body

    # Nothing a resident gets has changed.
    assert entry(app, "folic.get") == saved
    assert logged_questions(app) == asked
    assert _index_version(app) == version
    assert resident_asks(client, NEW_PHRASING)["code"] == now["code"]


def test_an_unsaved_answer_is_shown_with_placeholders_filled(app, console):
    client, _ = console.sign_in("township_admin")
    saved = entry(app, "folic.get")
    body = _try(console, client, {
        **form_of(saved, answer="叶酸请到{office_address}新址领取。"),
        "original_code": "folic.get", "trial_question": saved["question"]})
    after = body.split("保存修改后的回答")[-1]
    assert app.config["WXAPP"].office_address in after and "新址" in after
    assert "{office_address}" not in after
    assert "答案内容会按修改后的显示" in body
    assert entry(app, "folic.get")["answer"] == saved["answer"]


def test_an_unsaved_disable_shows_who_would_answer_instead(app, console):
    client, _ = console.sign_in("reviewer")
    body = _try(console, client, {
        **form_of(entry(app, "folic.get"), enabled=None), "original_code": "folic.get",
        "trial_question": "叶酸去哪领"})
    now, after = body.split("保存修改后的回答")[0], body.split("保存修改后的回答")[-1]
    assert "folic.get" in now and "本条目" not in after.split("让居民选")[0]
    assert entry(app, "folic.get")["enabled"] is True


def test_a_new_entry_can_be_tried_before_it_has_a_code(app, console):
    client, _ = console.sign_in("reviewer")
    body = _try(console, client, {
        "category": "service", "question": "办事大厅哪里停车", "new_similar": ["停车场在哪"],
        "answer": "门口有免费停车位。", "enabled": "1", "trial_question": "停车场在哪"})
    after = body.split("保存修改后的回答")[-1]
    assert "直接回答" in after and "门口有免费停车位" in after
    assert entry(app, "new.entry") is None


def test_a_command_is_said_to_be_a_command(app, console):
    client, _ = console.sign_in("reviewer")
    body = _try(console, client, {**form_of(entry(app, "folic.get")),
                                  "original_code": "folic.get", "trial_question": "转人工"})
    assert "当作指令处理" in body


@pytest.mark.parametrize("changes, problem", [
    ({"trial_question": ""}, "请先输入一个居民可能会问的问题"),
    ({"answer": "请拨打{office_fax}"}, "没有这个占位符"),
    ({"question": ""}, "请填写标准问题"),
])
def test_a_trial_that_cannot_run_says_why(app, console, changes, problem):
    client, _ = console.sign_in("reviewer")
    body = _try(console, client, {**form_of(entry(app, "folic.get")),
                                  "original_code": "folic.get", "trial_question": "叶酸去哪领",
                                  **changes})
    assert "无法试答" in body and problem in body
