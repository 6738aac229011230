"""Common questions in Chromium at 360 x 640: topics as big buttons, a topic's questions, an
answer with the township's own facts filled in, the phone's back button one step at a time,
and from the answer to a person."""
from __future__ import annotations

import pytest

from tests.browser.h5.conftest import assert_accessible, assert_elderly_friendly, shoot


@pytest.fixture
def knowledge_base(app):
    from wxapp.seeding.seed import seed_default
    from wxapp.transactions import commit

    with app.app_context():
        seed_default()
        commit()


def test_resident_browses_a_topic_reads_an_answer_and_asks_a_person(page, token_for,
                                                                    knowledge_base):
    page.goto(f"/h5/#token={token_for('h5-faq')}")
    page.get_by_role("navigation", name="要办的事").get_by_role("link", name="常见问题").click()
    page.wait_for_url("**/h5/faq")
    topics = page.locator("#topic-list a")
    assert topics.count() >= 5
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "faq-1-topics")

    page.get_by_role("link", name="免费孕前优生健康检查").click()
    page.wait_for_url("**/h5/faq?topic=precheck")
    page.locator("#entries-title").filter(has_text="免费孕前优生健康检查").wait_for()
    question = page.get_by_role("link", name="孕前优生健康检查要花钱吗？")
    question.wait_for()
    assert page.locator("#topics").is_hidden()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "faq-2-questions")

    question.click()
    page.wait_for_url("**entry=precheck.free")
    answer = page.locator("#answer-text")
    answer.filter(has_text="免费").wait_for()
    assert page.locator("#answer-title").inner_text() == "孕前优生健康检查要花钱吗？"
    # Placeholders are the township's facts, never braces.
    assert "{" not in answer.inner_text()
    assert page.locator("#answer-back").inner_text() == "看“免费孕前优生健康检查”的其他问题"
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "faq-3-answer")

    # The phone's back button goes back one step, to the topic's questions.
    page.go_back()
    page.locator("#entries").wait_for()
    page.go_forward()
    page.locator("#answer").wait_for()

    page.get_by_role("link", name="留言问工作人员").click()
    page.wait_for_url("**/h5/ask?person=1")
    assert page.locator("#handover").is_visible()
    assert page.locator("#handover-message").evaluate("e => e === document.activeElement")


def test_an_unknown_topic_says_so_and_offers_asking(page, token_for, knowledge_base):
    page.goto(f"/h5/faq?topic=nothing-here#token={token_for('h5-faq-empty')}")
    page.locator("#entries-sentence").filter(has_text="还没有整理好的问题").wait_for()
    assert page.get_by_role("link", name="自己打字问").is_visible()
