"""The other journeys in Chromium at 360 x 640: the home page, asking the bot (suggestions,
有用, hand-over to staff), my notices with staff's answer, and 请村里代办 in one tap."""
from __future__ import annotations

import pytest

from tests.browser.h5.conftest import (
    assert_accessible,
    assert_elderly_friendly,
    shoot,
)


@pytest.fixture
def township(app):
    from wxapp.seeding.seed import seed_default, seed_demo
    from wxapp.transactions import commit

    with app.app_context():
        seed_default()
        seed_demo()
        commit()


def handovers_of(client, token):
    return client.get("/api/v1/me/handovers",
                      headers={"Authorization": f"Bearer {token}"}).get_json()


def test_home_page_is_the_menu_and_says_what_is_under_way(page, token_for, township):
    page.goto(f"/h5/#token={token_for('h5-home')}")
    menu = page.get_by_role("navigation", name="要办的事")
    for title in ("生育登记", "免费孕前检查", "免费避孕药具", "问一问", "我的消息"):
        assert menu.get_by_role("link", name=title).is_visible()
    assert "#token" not in page.url
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "home")
    menu.get_by_role("link", name="问一问").click()
    page.wait_for_url("**/h5/ask")
    # Signed in for the whole visit: the next page needs no token in its address.
    page.get_by_label("您的问题").wait_for()
    assert page.locator("#alert").is_hidden()


def test_resident_asks_the_bot_taps_useful_and_hands_a_question_over(page, token_for, client,
                                                                     township):
    token = token_for("h5-ask")
    page.goto(f"/h5/ask#token={token}")
    page.get_by_label("您的问题").fill("孕前检查要钱吗")
    page.get_by_role("button", name="问", exact=True).click()
    answer = page.locator(".chat .bot").first
    answer.filter(has_text="免费").wait_for()
    answer.get_by_role("button", name="有用").click()
    answer.filter(has_text="谢谢您告诉我们").wait_for()
    assert_elderly_friendly(page)
    shoot(page, "ask-1-answered")

    page.get_by_label("您的问题").fill("我家的猫不吃饭怎么办")
    page.get_by_role("button", name="问", exact=True).click()
    page.locator("#handover").wait_for()
    # Said for a page she taps, not the chat's "回复人工".
    assert "回复" not in page.locator(".chat .bot").last.inner_text()
    assert page.get_by_label("留言").input_value() == "我家的猫不吃饭怎么办"
    page.get_by_label("留言").fill("村里什么时候发叶酸？")
    page.get_by_role("button", name="留言给工作人员").dblclick()
    page.locator("#handover-state").filter(has_text="已经留言给工作人员了").wait_for()
    assert [h["message"] for h in handovers_of(client, token)] == ["村里什么时候发叶酸？"]
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "ask-2-handed-over")


def test_notices_show_what_needs_her_and_staffs_answer(page, token_for, client, township):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

    token = token_for("h5-notices")
    me = {"Authorization": f"Bearer {token}"}
    left = client.post("/api/v1/me/handovers", headers=me, json={"message": "周末上班吗？"})
    staff = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    client.post(f"/api/v1/staff/faq/handovers/{left.get_json()['id']}/answer",
                headers={"Authorization": f"Bearer {staff}"}, json={"answer": "周末不上班。"})
    page.goto(f"/h5/notices#token={token}")
    page.locator("#replies").filter(has_text="工作人员答：周末不上班。").wait_for()
    # The answer also arrived as a notice: new until she says she has seen it.
    page.locator("#inbox-sentence").filter(has_text="有1条新消息没看").wait_for()
    notice = page.locator("#inbox li").first
    assert "【新】" in notice.inner_text()
    notice.get_by_role("button", name="知道了").click()
    page.locator("#inbox-sentence").filter(has_text="消息都看过了").wait_for()
    assert "现在没有要您办的事" in page.locator("#notices").inner_text()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "notices")


def test_one_tap_asks_the_village_to_file_for_her(page, token_for, client, township):
    token = token_for("h5-help")
    page.goto(f"/h5/supplies#token={token}")
    help_box = page.locator("#village-help")
    help_box.get_by_role("button", name="请村里代办").click()
    # No phone known on this page: she is asked for one first, and nothing is sent yet.
    help_box.get_by_label("您的手机号码").wait_for()
    assert handovers_of(client, token) == []
    help_box.get_by_label("您的手机号码").fill("13812345678")
    help_box.get_by_role("button", name="请村里代办").dblclick()
    page.locator("#help-state").filter(has_text="已经告诉村里了").wait_for()
    messages = [h["message"] for h in handovers_of(client, token)]
    assert messages == ["请村里代办免费避孕药具领取。联系电话：13812345678。"]
    assert_elderly_friendly(page)
    shoot(page, "village-help")


@pytest.mark.parametrize("path", ["/h5/", "/h5/registration", "/h5/screening", "/h5/supplies",
                                  "/h5/ask", "/h5/notices"])
def test_no_serious_accessibility_violation_on_any_page(page, token_for, township, path):
    page.goto(f"{path}#token={token_for('h5-axe')}")
    page.locator("#loading").wait_for(state="hidden") if path not in ("/h5/", "/h5/ask") \
        else page.locator("main").wait_for()
    assert_accessible(page)


# Vague questions; which of them the bot answers with suggestions (and which suggestions)
# moves whenever residents' questions are attached or the model refitted.
VAGUE = ("那个凭证和进度", "补贴的事", "检查预约的事", "生育登记的事情咋弄", "领东西的事",
         "检查结果出来了要去拿吗还是改时间", "补贴的事情", "领药具要啥")


def _suggested_for():
    """A vague question the shipped bot answers with suggestions, and the suggestions."""
    from tests.faq.shipped import KB_PATH
    from wxapp.faq.knowledge_base import load_knowledge_base
    from wxapp.faq.matcher import FaqMatcher

    matcher = FaqMatcher.build(load_knowledge_base(KB_PATH).entries)
    for text in VAGUE:
        result = matcher.match(text)
        if result.outcome == "suggested" and result.candidates:
            return text, [c.question for c in result.candidates]
    pytest.fail("none of the vague questions gets suggestions: add one that does")


def test_a_suggestion_tapped_while_the_bot_still_answers_is_not_lost(page, token_for,
                                                                      township):
    vague, suggestions = _suggested_for()
    first_suggestion = suggestions[0]
    page.goto(f"/h5/ask#token={token_for('h5-ask-slow')}")
    page.get_by_label("您的问题").fill(vague)
    page.get_by_role("button", name="问", exact=True).click()
    suggestion = page.get_by_role("button", name=first_suggestion)
    suggestion.wait_for()
    # Every suggestion the bot offers is a button of its own, big enough for any finger.
    for question in suggestions:
        assert page.get_by_role("button", name=question).is_visible()
    assert_elderly_friendly(page)
    shoot(page, "ask-suggestions")

    held = []
    page.route("**/api/v1/faq/ask", lambda route: held.append(route))
    # 叶酸 is word for word a keyword of the folic acid entry: answered whatever the model.
    page.get_by_label("您的问题").fill("叶酸")
    with page.expect_request("**/api/v1/faq/ask"):
        page.get_by_role("button", name="问", exact=True).click()
    # The answer is slow (held here); she taps a suggestion of the first answer meanwhile.
    suggestion.click()
    assert page.locator(".chat .me").all_inner_texts() == [vague, "叶酸"]
    page.locator("#busy").filter(has_text="还在找上一个问题的答案").wait_for()
    with page.expect_response("**/api/v1/faq/ask"):
        held.pop().continue_()
    page.unroute("**/api/v1/faq/ask")
    page.locator(".chat .bot").nth(1).filter(has_text="神经管").wait_for()
    assert held == []

    suggestion.click()
    page.locator(".chat .bot").nth(2).wait_for()
    assert page.locator(".chat .me").all_inner_texts() == [vague, "叶酸", first_suggestion]
