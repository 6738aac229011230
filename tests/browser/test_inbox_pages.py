"""居民求助 in Chromium, at 1280 and 360 px: a village worker opens a 请村里代办 request of her
village, shows the number to call back (an audited reveal, under the console's CSP), answers,
and sees how the answer reached the resident. Also the office's 通知送达 page. Screenshots are
kept as artefacts; no serious accessibility violations."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.console.conftest import Console
from tests.console.inbox_data import Inbox


@pytest.mark.parametrize("size", ["1280", "360"])
def test_a_village_worker_answers_and_sees_how_it_reached_her(app, live_server, request, sim,
                                                              sms_gateway, size):
    page = request.getfixturevalue("desktop_page" if size == "1280" else "phone_page")
    inbox = Inbox(app)
    left = inbox.leave("您好，我想请村里帮忙代办生育登记，白天打13911112222找我。",
                       village="东湖村", name="王芳", phone="13812345678")
    inbox.leave("请村里代办。", village="西岭村")  # another village's: not hers to see
    sim.call("POST", "/sim/user-wrote", json={"openid": left.oa_openid})
    client, _ = Console(app).sign_in("village_worker", village="东湖村")
    carry_session(page, live_server, client)

    page.goto(live_server.url("/console/inbox"))
    assert page.locator(".inbox-table tbody tr").count() == 1
    assert "13911112222" not in page.content()
    assert axe_violations(page) == []
    screenshot(page, f"console-inbox-open-{size}")

    page.get_by_role("link", name="您好，我想请村里帮忙代办生育登记").click()
    page.get_by_role("heading", name="回复居民").wait_for()
    assert "139****2222" in page.inner_text("main") and "13812345678" not in page.content()
    page.get_by_role("button", name="显示完整号码：居民手机号码").click()
    page.locator(".pii-value").wait_for()
    assert page.locator(".pii-value").inner_text() == "13812345678"
    assert axe_violations(page) == []
    screenshot(page, f"console-inbox-message-{size}")

    page.get_by_label("回复内容").fill("好的，明天上午村里给您打电话，请带好夫妻双方身份证。")
    page.get_by_role("button", name="发送回复").click()
    page.locator("#delivery .reached").wait_for()
    page.get_by_text("已通过公众号客服消息送达").wait_for()
    assert "回复已发出" in page.inner_text(".messages")
    assert axe_violations(page) == []
    screenshot(page, f"console-inbox-answered-{size}")

    page.goto(live_server.url("/console/inbox?view=answered"))
    assert "已通过公众号客服消息送达" in page.inner_text("main")
    screenshot(page, f"console-inbox-answered-list-{size}")
    page.problems.assert_none()
    assert len(sim.outbox(kind="custom")["messages"]) == 1


@pytest.mark.parametrize("size", ["1280", "360"])
def test_the_office_sees_what_waits_in_notice_lists(app, live_server, request, sim,
                                                    sms_gateway, size):
    page = request.getfixturevalue("desktop_page" if size == "1280" else "phone_page")
    inbox = Inbox(app)
    console = Console(app)
    reached = inbox.leave("周末上班吗？", name="李娜")
    waiting = inbox.leave("孕前检查要空腹吗？", name="张丽")
    sim.call("POST", "/sim/user-wrote", json={"openid": reached.oa_openid})
    client, _ = console.sign_in("township_admin")
    for left, text in ((reached, "周末不上班。"), (waiting, "需要空腹。")):
        answered = console.post(client, f"/console/inbox/{left.handover_id}/answer",
                                data={"answer": text})
        client.get(answered.headers["Location"])  # and reads the message it left
        inbox.notices(left.handover_id)
    carry_session(page, live_server, client)
    page.goto(live_server.url("/console/notices"))
    assert page.locator(".notices-table tbody tr").count() == 2
    assert "李娜" not in page.content() and "李*" in page.inner_text("main")
    assert axe_violations(page) == []
    screenshot(page, f"console-notices-month-{size}")
    page.get_by_label("只看微信和短信都没有送达的").check()
    page.get_by_role("button", name="筛选").click()
    page.get_by_text("共 1 条").wait_for()
    assert "张*" in page.inner_text("main")
    screenshot(page, f"console-notices-waiting-{size}")
    page.problems.assert_none()
