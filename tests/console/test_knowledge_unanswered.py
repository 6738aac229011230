"""The questions the bot could not answer, grouped, each with the entries the bot finds
closest; one click adds a group's question to an entry, after which residents asking it get
that entry's answer. Sent twice, the click adds, audits and rebuilds nothing the second time."""
from __future__ import annotations

import re

import pytest

from tests.console.knowledge_world import (
    ENTRIES,
    audits,
    entry,
    resident_asks,
    seed_knowledge,
    unresolved_ids,
)
from wxapp.services.faq.live_index import VERSION_KEY

PARKING = ("卫健办门口能停电动车吗", "卫健办门口可以停电动车吗")


@pytest.fixture(autouse=True)
def knowledge(app, client):
    seed_knowledge(app)
    for question in (*PARKING, "医保卡怎么激活"):
        assert resident_asks(client, question)["code"] is None


def _group_form(html: str, representative: str) -> dict:
    """The hidden log ids and the preselected entry of one group's form on the page."""
    start = html.index(f"“{representative}”")
    form = html[start:html.index("</form>", start)]
    ids = re.findall(r'name="log_ids" value="(\d+)"', form)
    selected = re.search(r'<option value="([^"]+)" selected>', form)
    return {"log_ids": ids, "code": selected.group(1) if selected else ""}


def test_groups_are_listed_with_the_closest_entries_preselected(console):
    client, _ = console.sign_in("reviewer")
    html = client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert "问过 2 次" in html and "医保卡怎么激活" in html
    form = _group_form(html, PARKING[1])
    assert len(form["log_ids"]) == 2
    assert "机器人认为最接近的" in html
    # Every entry can be chosen, grouped by category.
    assert 'value="folic.get"' in html and 'label="叶酸"' in html


def test_one_click_adds_the_question_and_residents_are_answered(app, console, client):
    staff_client, _ = console.sign_in("township_admin")
    html = staff_client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    form = {**_group_form(html, PARKING[1]), "code": "service.contact"}
    response = console.post(staff_client, f"{ENTRIES}/unanswered/attach", data=form)
    assert response.status_code == 303
    assert PARKING[1] in entry(app, "service.contact")["similar_questions"]
    assert unresolved_ids(app, PARKING[0]) == unresolved_ids(app, PARKING[1]) == []
    assert audits(app, "faq.attach_question") == 1
    page = staff_client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert "已把这组问题加为" in page and "问过 2 次" not in page
    assert resident_asks(client, PARKING[1])["code"] == "service.contact"


def test_the_same_click_twice_adds_once(app, console):
    from wxapp.extensions import get_redis

    client, _ = console.sign_in("reviewer")
    html = client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    form = {**_group_form(html, PARKING[1]), "code": "service.contact"}
    console.post(client, f"{ENTRIES}/unanswered/attach", data=form)
    with app.app_context():
        version = get_redis().get(VERSION_KEY)
    again = console.post(client, f"{ENTRIES}/unanswered/attach", data=form)
    assert again.status_code == 303
    similar = entry(app, "service.contact")["similar_questions"]
    assert similar.count(PARKING[1]) == 1
    assert audits(app, "faq.attach_question") == 1
    with app.app_context():
        assert get_redis().get(VERSION_KEY) == version
    assert "无需重复操作" in client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)


@pytest.mark.parametrize("form, message", [
    ({"log_ids": [], "code": "service.contact"}, "请先选择"),
    ({"log_ids": ["abc"], "code": "service.contact"}, "请先选择"),
    ({"log_ids": ["999999"], "code": "service.contact"}, "没有找到该问题记录"),
    ({"code": ""}, "请先选择"),
    ({"code": "service.nothing"}, "没有找到该问答条目"),
])
def test_bad_clicks_are_explained_and_change_nothing(app, console, form, message):
    client, _ = console.sign_in("reviewer")
    html = client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    data = {**_group_form(html, PARKING[1]), **form}
    before = entry(app, "service.contact")
    response = console.post(client, f"{ENTRIES}/unanswered/attach", data=data)
    assert response.status_code == 303
    assert message in client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert entry(app, "service.contact") == before
    assert audits(app, "faq.attach_question") == 0
    assert len(unresolved_ids(app, PARKING[1])) == 1


def test_a_group_can_start_a_new_entry(console):
    client, _ = console.sign_in("reviewer")
    html = client.get(f"{ENTRIES}/new?question=医保卡怎么激活").get_data(as_text=True)
    assert 'value="医保卡怎么激活"' in html
