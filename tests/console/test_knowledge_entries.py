"""Editing the knowledge base in the console: the list with its filters, a new entry, an edit
(similar questions added and removed), mistakes explained beside their field with nothing
saved, facts (figures, township details) changed only when confirmed, a form sent twice
doing its work once, and every change audited as the staff API audits it."""
from __future__ import annotations

import pytest

from tests.console.knowledge_world import (
    ENTRIES,
    audits,
    entry,
    form_of,
    resident_asks,
    seed_knowledge,
)

NEW_ENTRY = {"category": "service", "code": "service.parking", "question": "办事大厅哪里停车",
             "new_similar": ["停车场在哪", "开车去停哪里"], "keywords": "停车",
             "answer": "{office_address}门口有免费停车位。", "enabled": "1"}


@pytest.fixture(autouse=True)
def knowledge(app):
    seed_knowledge(app)


def _body(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_filters_by_category_and_searches_every_phrasing(console):
    client, _ = console.sign_in("reviewer")
    folic = _body(client.get(f"{ENTRIES}?category=folic"))
    assert "folic.what" in folic and "folic.get" in folic and "precheck.free" not in folic
    assert "共 2 个条目" in folic
    found = _body(client.get(f"{ENTRIES}?q=准生证"))
    assert "birth-reg.what" in found and "folic.get" not in found
    nothing = _body(client.get(f"{ENTRIES}?q=房贷利率"))
    assert "没有符合条件的条目" in nothing
    # An unknown category is ignored rather than an error.
    assert client.get(f"{ENTRIES}?category=nonsense").status_code == 200


def test_a_new_entry_is_saved_audited_and_answers_residents_at_once(app, console, client):
    staff_client, _ = console.sign_in("township_admin")
    response = console.post(staff_client, f"{ENTRIES}/new", data=NEW_ENTRY)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{ENTRIES}/service.parking")
    saved = entry(app, "service.parking")
    assert saved["similar_questions"] == ["停车场在哪", "开车去停哪里"]
    assert saved["keywords"] == ["停车"] and saved["enabled"] is True
    assert audits(app, "faq.create") == 1
    assert resident_asks(client, "停车场在哪里")["code"] == "service.parking"


def test_a_new_entry_sent_twice_is_made_once(app, console):
    client, _ = console.sign_in("reviewer")
    first = console.post(client, f"{ENTRIES}/new", data=NEW_ENTRY)
    second = console.post(client, f"{ENTRIES}/new", data=NEW_ENTRY)
    assert first.status_code == second.status_code == 303
    assert audits(app, "faq.create") == 1
    # A different entry under a taken code is refused beside the code.
    other = console.post(client, f"{ENTRIES}/new", data={**NEW_ENTRY, "question": "别的问题"})
    assert other.status_code == 422
    assert "已被其他条目使用" in _body(other)


@pytest.mark.parametrize("changes, field_message", [
    ({"code": ""}, "请填写编码"),
    ({"code": "Service Parking"}, "编码形如“分类.名称”"),
    ({"code": "folic.parking"}, "编码的前缀应与所选分类一致"),
    ({"category": "weather"}, "请从列表中选择分类"),
    ({"question": "  "}, "请填写标准问题"),
    ({"question": "问" * 201}, "标准问题不能超过 200 字"),
    ({"new_similar": ["长" * 201]}, "超过 200 字"),
    ({"keywords": "关" * 33}, "超过 32 字"),
    ({"answer": ""}, "请填写答案"),
    ({"answer": "请拨打{office_fax}"}, "没有这个占位符：{office_fax}"),
    ({"answer": "请拨打{office_phone"}, "花括号 { } 没有成对出现"),
])
def test_mistakes_are_said_beside_their_field_and_nothing_is_saved(app, console, changes,
                                                                   field_message):
    client, _ = console.sign_in("reviewer")
    response = console.post(client, f"{ENTRIES}/new", data={**NEW_ENTRY, **changes})
    assert response.status_code == 422
    body = _body(response)
    assert field_message in body and 'class="field-error"' in body
    assert entry(app, "service.parking") is None
    assert audits(app, "faq.create") == 0


def test_an_edit_adds_and_removes_similar_questions_and_is_audited(app, console, client):
    staff_client, _ = console.sign_in("reviewer")
    saved = entry(app, "folic.get")
    dropped = saved["similar_questions"][0]
    data = form_of(saved, new_similar=["卫生院发不发叶酸片子", ""], remove_similar=["0"])
    response = console.post(staff_client, f"{ENTRIES}/folic.get", data=data)
    assert response.status_code == 303, _body(response)
    after = entry(app, "folic.get")
    assert dropped not in after["similar_questions"]
    assert after["similar_questions"][-1] == "卫生院发不发叶酸片子"
    assert after["answer"] == saved["answer"]
    assert audits(app, "faq.update") == 1
    # The same form again (a double click): nothing left to change, nothing audited.
    again = console.post(staff_client, f"{ENTRIES}/folic.get", data=data)
    assert again.status_code == 303
    assert entry(app, "folic.get") == after
    assert audits(app, "faq.update") == 1
    assert resident_asks(client, "卫生院发不发叶酸片子")["code"] == "folic.get"


def test_disabling_an_entry_takes_it_out_of_answers(app, console, client):
    staff_client, _ = console.sign_in("township_admin")
    data = form_of(entry(app, "folic.get"), enabled=None)
    assert console.post(staff_client, f"{ENTRIES}/folic.get", data=data).status_code == 303
    assert entry(app, "folic.get")["enabled"] is False
    assert resident_asks(client, "叶酸去哪领")["code"] != "folic.get"


def test_a_figure_dropped_from_an_answer_must_be_confirmed(app, console):
    client, _ = console.sign_in("reviewer")
    saved = entry(app, "folic.what")
    assert "0.4" in saved["answer"]
    changed = saved["answer"].replace("0.4", "4")
    data = form_of(saved, answer=changed)
    refused = console.post(client, f"{ENTRIES}/folic.what", data=data)
    assert refused.status_code == 422
    body = _body(refused)
    assert "原答案中的数字 0.4 在修改后不见了" in body and "我已核对以上内容" in body
    assert entry(app, "folic.what")["answer"] == saved["answer"]
    confirmed = console.post(client, f"{ENTRIES}/folic.what",
                             data={**data, "confirm_facts": "1"})
    assert confirmed.status_code == 303
    assert entry(app, "folic.what")["answer"] == changed.strip()


def test_the_office_phone_typed_into_an_answer_must_be_confirmed(app, console):
    client, _ = console.sign_in("reviewer")
    phone = app.config["WXAPP"].office_phone
    saved = entry(app, "service.contact")
    data = form_of(saved, answer=f"请拨打 0512-66881234 或 {phone} 咨询。")
    body = _body(console.post(client, f"{ENTRIES}/service.contact", data=data))
    assert "0512-66881234" in body and "{office_phone}" in body
    assert entry(app, "service.contact")["answer"] == saved["answer"]


def test_the_editor_shows_placeholders_and_what_residents_read(app, console):
    client, _ = console.sign_in("reviewer")
    body = _body(client.get(f"{ENTRIES}/service.contact"))
    assert "{office_phone}" in body and "办公电话" in body
    assert app.config["WXAPP"].office_phone in body


def test_an_edit_made_on_a_stale_page_is_shown_again_not_saved(app, console):
    first, _ = console.sign_in("reviewer")
    second, _ = console.sign_in("township_admin")
    saved = entry(app, "folic.get")
    stale = form_of(saved, question="免费叶酸到哪里领取？")
    console.post(second, f"{ENTRIES}/folic.get",
                 data=form_of(saved, new_similar=["叶酸哪里拿"]))
    response = console.post(first, f"{ENTRIES}/folic.get", data=stale)
    assert response.status_code == 409
    assert "已被修改" in _body(response)
    assert entry(app, "folic.get")["question"] == saved["question"]
