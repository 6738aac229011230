"""The knowledge base in Chromium: a reviewer finds an entry, adds a resident's new phrasing
as a similar question, tries it before saving (the live bot unchanged), saves, and the bot
then answers that phrasing with the entry through the resident API; an unanswered question is
attached in one click. Screenshots at an office PC's width and a phone's, axe on each page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.console_pages import no_axe_violations, signed_in
from tests.console.knowledge_world import ENTRIES, entry, resident_asks, seed_knowledge

NEW_PHRASING = "怀娃前吃的那个药片子村里给不给"
UNANSWERED = "卫健办门口能停电动车吗"


@pytest.fixture
def console(app):
    from tests.console.conftest import Console

    return Console(app)


@pytest.fixture(autouse=True)
def knowledge(app, client):
    seed_knowledge(app)
    assert resident_asks(client, UNANSWERED)["code"] is None


def test_reviewer_teaches_the_bot_a_new_phrasing(app, client, console, live_server,
                                                 desktop_page):
    page = desktop_page
    signed_in(page, console, live_server, "reviewer")
    before = resident_asks(client, NEW_PHRASING)
    assert before["code"] != "folic.get"

    page.goto(live_server.url(ENTRIES))
    page.select_option("#filter-category", "folic")
    page.click("button:has-text('查找')")
    page.wait_for_selector("text=共 2 个条目")
    screenshot(page, "knowledge-entries-1280")
    assert no_axe_violations(page)
    page.click("a:has-text('免费叶酸在哪里领')")
    page.wait_for_selector("h1:has-text('编辑条目')")

    page.fill("#new-similar-0", NEW_PHRASING)
    page.fill("#trial_question", NEW_PHRASING)
    page.click("button:has-text('试一试')")
    page.wait_for_selector("#trial-result .trial-columns")
    after = page.inner_text("#trial-result .trial-answer:nth-child(2)")
    assert "直接回答" in after and "本条目" in after
    screenshot(page, "knowledge-entry-trial-1280")
    assert no_axe_violations(page)
    # Trying changed nothing residents get.
    assert resident_asks(client, NEW_PHRASING)["code"] == before["code"]

    page.click("button:has-text('保存修改')")
    page.wait_for_selector("text=已保存修改")
    assert NEW_PHRASING in entry(app, "folic.get")["similar_questions"]
    answer = resident_asks(client, NEW_PHRASING)
    assert answer["code"] == "folic.get" and answer["matched"] is True

    # An unanswered question, attached in one click to the entry the page preselects.
    page.goto(live_server.url(f"{ENTRIES}/unanswered"))
    group = page.locator("section.unanswered-group", has_text=f"“{UNANSWERED}”")
    group.locator("select").select_option("service.contact")
    screenshot(page, "knowledge-unanswered-1280")
    assert no_axe_violations(page)
    group.locator("button:has-text('加为相似问法')").click()
    page.wait_for_selector("text=已把这组问题加为")
    assert resident_asks(client, UNANSWERED)["code"] == "service.contact"
    page.problems.assert_none()


def _looks_right_on_a_phone(page, name):
    screenshot(page, name)
    assert no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_editor_on_a_phone(console, live_server, phone_page):
    signed_in(phone_page, console, live_server, "township_admin")
    phone_page.goto(live_server.url(f"{ENTRIES}/service.contact"))
    phone_page.fill("#trial_question", "你们电话多少")
    phone_page.click("button:has-text('试一试')")
    phone_page.wait_for_selector("#trial-result .trial-columns")
    _looks_right_on_a_phone(phone_page, "knowledge-entry-360")
    phone_page.goto(live_server.url(ENTRIES))
    _looks_right_on_a_phone(phone_page, "knowledge-entries-360")
    phone_page.problems.assert_none()


def test_a_question_of_another_office_is_marked_and_taken_off_again(client, console,
                                                                     live_server, phone_page):
    page = phone_page
    asked = "孕前检查可以开病假条吗"
    assert resident_asks(client, asked)["suggestions"]
    signed_in(page, console, live_server, "reviewer")
    page.goto(live_server.url(f"{ENTRIES}/unanswered"))
    group = page.locator("section.unanswered-group", has_text=f"“{asked}”")
    group.locator("button:has-text('不属于本办业务')").click()
    page.wait_for_selector("text=标记为不属于本办业务")
    assert page.locator("section.unanswered-group", has_text=f"“{asked}”").count() == 0
    answer = resident_asks(client, asked)
    assert answer["code"] is None and answer["suggestions"] == []

    page.click("a:has-text('已标记为不属于本办业务的问题')")
    page.wait_for_selector("text=共 1 个问题")
    _looks_right_on_a_phone(page, "knowledge-not-ours-360")
    # A pasted list holding one of the base's own phrasings comes back, explained.
    page.fill("#not-ours-questions", "医保今年交多少钱\n叶酸去哪领")
    page.click("button:has-text('添加到列表')")
    page.wait_for_selector("text=是知识库里条目的问法")
    _looks_right_on_a_phone(page, "knowledge-not-ours-paste-refused-360")
    page.fill("#not-ours-questions", "医保今年交多少钱")
    page.click("button:has-text('添加到列表')")
    page.wait_for_selector("text=已添加 1 个问题")
    assert page.locator("text=共 2 个问题").count() == 1
    page.click("tr:has-text('医保今年交多少钱') button:has-text('移出列表')")
    page.wait_for_selector("text=已把“医保今年交多少钱”移出列表")
    page.click("button:has-text('移出列表')")
    page.wait_for_selector("text=已把“孕前检查可以开病假条吗”移出列表")
    assert resident_asks(client, asked)["suggestions"]
    page.problems.assert_none()
