"""A group of unanswered questions marked as not the office's business (a sick note from the
pre-pregnancy check is the employer's and the doctor's, not the office's): the group leaves the
list, and residents asking it, or a question like it, are refused instead of offered the
neighbouring check entries. Questions of the office's own stay answered. Marking twice changes
nothing; taking a question off the list brings its logged questions back."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.console.knowledge_world import (
    ENTRIES,
    audits,
    entry,
    form_of,
    resident_asks,
    seed_knowledge,
)
from tests.helpers import all_at_once
from wxapp.extensions import db, get_redis
from wxapp.models import NotOursQuestion
from wxapp.services.faq.live_index import VERSION_KEY

SICK_NOTE = ("孕前检查可以开病假条吗", "孕前检查可以开病假条嘛")
LIKE_IT = "孕前检查给开病假条吗"
OURS = ("孕前检查要请假吗", "precheck.book")


@pytest.fixture(autouse=True)
def knowledge(app, client):
    seed_knowledge(app)
    for question in SICK_NOTE:
        # The bot is unsure and offers check entries: the questions reach the unanswered list.
        assert resident_asks(client, question)["suggestions"]


def _marked(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(NotOursQuestion.text).order_by(NotOursQuestion.id)))


def _group_ids(html: str, text: str) -> list[str]:
    """The hidden log ids of the group on the unanswered page that holds ``text``."""
    for section in html.split('<section class="card unanswered-group"')[1:]:
        if text in section[:section.index("<form")]:
            return re.findall(r'name="log_ids" value="(\d+)"', section)
    return []


def _mark(console, client):
    html = client.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    return console.post(client, f"{ENTRIES}/unanswered/not-ours",
                        data={"log_ids": _group_ids(html, SICK_NOTE[0])})


def _version(app):
    with app.app_context():
        return get_redis().get(VERSION_KEY)


def test_a_marked_group_leaves_the_list_and_questions_like_it_are_refused(app, console, client):
    staff, _ = console.sign_in("reviewer")
    html = staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert len(_group_ids(html, SICK_NOTE[0])) == 2  # both wordings grouped as one question
    assert _mark(console, staff).status_code == 303
    assert sorted(_marked(app)) == sorted(SICK_NOTE)
    assert audits(app, "faq.not_ours") == 2
    page = staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert "标记为不属于本办业务" in page and _group_ids(page, SICK_NOTE[0]) == []
    listed = staff.get(f"{ENTRIES}/not-ours").get_data(as_text=True)
    assert all(text in listed for text in SICK_NOTE) and "共 2 个问题" in listed
    # Refused, not offered the check entries; a wording nobody asked yet too.
    for question in (*SICK_NOTE, LIKE_IT):
        answer = resident_asks(client, question)
        assert answer["code"] is None and answer["suggestions"] == [], question
    assert resident_asks(client, OURS[0])["code"] == OURS[1]


def test_the_same_group_marked_twice_is_marked_once(app, console):
    staff, _ = console.sign_in("township_admin")
    html = staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    form = {"log_ids": _group_ids(html, SICK_NOTE[0])}
    console.post(staff, f"{ENTRIES}/unanswered/not-ours", data=form)
    version = _version(app)
    again = console.post(staff, f"{ENTRIES}/unanswered/not-ours", data=form)
    assert again.status_code == 303
    assert len(_marked(app)) == 2 and audits(app, "faq.not_ours") == 2
    assert _version(app) == version  # nothing rebuilt
    assert "无需重复操作" in staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)


def _two_browsers_at_once(console, page, action, data):
    """The same form sent by one reviewer from two browsers at the same moment: the
    responses' status codes."""
    staff = console.make_staff("reviewer")
    browsers = [console.sign_in_as(staff) for _ in range(2)]
    tokens = [console.csrf(b, page) for b in browsers]

    def send(browser, token):
        return lambda: browser.post(action, data={**data, "csrf_token": token})

    answers = all_at_once([send(b, t) for b, t in zip(browsers, tokens, strict=True)])
    return [r.status_code for r in answers]


@pytest.mark.postgres_only
def test_two_browsers_marking_at_once_mark_once(app, console):
    staff, _ = console.sign_in("township_admin")
    html = staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    ids = _group_ids(html, SICK_NOTE[0])
    assert _two_browsers_at_once(console, f"{ENTRIES}/unanswered",
                                 f"{ENTRIES}/unanswered/not-ours", {"log_ids": ids}) == [303, 303]
    assert len(_marked(app)) == 2 and audits(app, "faq.not_ours") == 2


@pytest.mark.parametrize("log_ids, message", [
    ([], "请先选择要标记的问题"),
    (["abc"], "请先选择要标记的问题"),
    (["999999"], "没有找到该问题记录"),
])
def test_bad_clicks_are_explained_and_mark_nothing(app, console, log_ids, message):
    staff, _ = console.sign_in("reviewer")
    response = console.post(staff, f"{ENTRIES}/unanswered/not-ours", data={"log_ids": log_ids})
    assert response.status_code == 303
    assert message in staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert _marked(app) == [] and audits(app, "faq.not_ours") == 0


def test_taking_a_question_off_the_list_brings_it_back(app, console, client):
    staff, _ = console.sign_in("reviewer")
    _mark(console, staff)
    with app.app_context():
        ids = list(db.session.scalars(select(NotOursQuestion.id)))
    for question_id in ids:
        response = console.post(staff, f"{ENTRIES}/not-ours/{question_id}/remove")
        assert response.status_code == 303
    assert _marked(app) == [] and audits(app, "faq.not_ours_removed") == 2
    html = staff.get(f"{ENTRIES}/unanswered").get_data(as_text=True)
    assert len(_group_ids(html, SICK_NOTE[0])) == 2
    assert resident_asks(client, SICK_NOTE[0])["suggestions"]
    # Sent again (a double click, a retry): nothing left to take off, nothing audited.
    version = _version(app)
    again = console.post(staff, f"{ENTRIES}/not-ours/{ids[0]}/remove")
    assert again.status_code == 303
    assert "无需重复操作" in staff.get(f"{ENTRIES}/not-ours").get_data(as_text=True)
    assert audits(app, "faq.not_ours_removed") == 2 and _version(app) == version


def test_trying_an_edit_reads_the_marked_questions_too(app, console):
    staff, _ = console.sign_in("reviewer")
    _mark(console, staff)
    saved = entry(app, "precheck.when")
    # An edit that is tried on a throwaway matcher: it must read the marked questions too.
    response = console.post(staff, f"{ENTRIES}/try", htmx=True, data={
        **form_of(saved, new_similar=["备孕多久去做孕前检查合适"]),
        "original_code": "precheck.when", "trial_question": SICK_NOTE[0]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("outcome-not_answered") == 2 and "让居民选" not in html


def test_the_list_counts_nothing_before_anything_is_marked(app, console):
    staff, _ = console.sign_in("reviewer")
    html = staff.get(f"{ENTRIES}/not-ours").get_data(as_text=True)
    assert "还没有标记过的问题" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(NotOursQuestion.id))) == 0


# -- a pasted list, and the list as text --------------------------------------------------------
PASTED = ("身份证丢了怎么补办\n\n  医保今年交多少钱  \n身份证丢了怎么补办\n"
          "我的电话13812345678能改吗\n")


def _paste(console, staff, pasted):
    return console.post(staff, f"{ENTRIES}/not-ours", data={"questions": pasted})


def test_a_pasted_list_is_added_once_per_question_and_refused_after(app, console, client):
    staff, _ = console.sign_in("reviewer")
    version = _version(app)
    response = _paste(console, staff, PASTED)
    assert response.status_code == 303
    # Blank lines and repeats dropped, spaces trimmed, a phone number redacted as in the log.
    marked = _marked(app)
    assert marked[:2] == ["身份证丢了怎么补办", "医保今年交多少钱"] and len(marked) == 3
    assert "13812345678" not in marked[2] and audits(app, "faq.not_ours") == 3
    assert _version(app) != version
    html = staff.get(f"{ENTRIES}/not-ours").get_data(as_text=True)
    assert "已添加 3 个问题" in html and "共 3 个问题" in html
    assert resident_asks(client, "医保今年交多少钱")["code"] is None


def test_pasting_the_same_list_again_adds_nothing(app, console):
    staff, _ = console.sign_in("township_admin")
    _paste(console, staff, PASTED)
    version = _version(app)
    again = _paste(console, staff, PASTED + "户口迁移要什么材料\n")
    assert again.status_code == 303
    assert len(_marked(app)) == 4 and audits(app, "faq.not_ours") == 4
    assert "另有 3 个原来就在列表中" in staff.get(f"{ENTRIES}/not-ours").get_data(as_text=True)
    version = _version(app)
    _paste(console, staff, "户口迁移要什么材料")
    assert _version(app) == version and audits(app, "faq.not_ours") == 4
    assert "无需重复操作" in staff.get(f"{ENTRIES}/not-ours").get_data(as_text=True)


@pytest.mark.parametrize("pasted, message", [
    ("", "请粘贴要添加的问题"),
    ("\n  \n", "请粘贴要添加的问题"),
    ("\n".join(f"第{n}个别的部门的问题" for n in range(201)), "一次最多添加 200 个问题"),
    ("医保交多少钱\n" + "长" * 201, "每个问题不超过 200 个字"),
    # Word for word a phrasing of the base: marking it would silence the bot on its own topic.
    ("医保交多少钱\n叶酸去哪领", "“叶酸去哪领”是知识库里条目的问法"),
])
def test_a_list_that_cannot_be_added_is_explained_and_adds_nothing(app, console, pasted,
                                                                   message):
    staff, _ = console.sign_in("reviewer")
    version = _version(app)
    response = _paste(console, staff, pasted)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    if pasted.strip():
        assert pasted.split("\n")[0] in html  # the list comes back to be corrected
    assert _marked(app) == [] and audits(app, "faq.not_ours") == 0
    assert _version(app) == version


@pytest.mark.postgres_only
def test_two_browsers_pasting_the_same_list_at_once_add_it_once(app, console):
    assert _two_browsers_at_once(console, f"{ENTRIES}/not-ours", f"{ENTRIES}/not-ours",
                                 {"questions": PASTED}) == [303, 303]
    assert len(_marked(app)) == 3 and audits(app, "faq.not_ours") == 3


def test_the_list_downloads_as_text_one_question_a_line_and_is_audited(app, console):
    staff, _ = console.sign_in("reviewer")
    _mark(console, staff)
    _paste(console, staff, "医保今年交多少钱")
    response = staff.get(f"{ENTRIES}/not-ours.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True).splitlines() == [*_marked(app)]
    assert set(_marked(app)) == {*SICK_NOTE, "医保今年交多少钱"}
    assert audits(app, "faq.not_ours_exported") == 1
