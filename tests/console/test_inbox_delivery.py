"""After answering, the message page says how the answer reached the resident, from the
delivery records: the official account's chat while WeChat's 48-hour window is open, else a
text when she agreed to texts, else her notice list; 发送中 until the delivery job has run."""
from __future__ import annotations

import pytest

from tests.console.inbox_data import Inbox


@pytest.fixture
def inbox(app):
    return Inbox(app)


def _answer(console, client, handover_id, text="工作日上午都可以来。"):
    response = console.post(client, f"/console/inbox/{handover_id}/answer",
                            data={"answer": text})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/console/inbox/{handover_id}#delivery")


def _page_after_the_job(console, client, inbox, handover_id) -> str:
    inbox.notices(handover_id)  # runs the queued delivery job (inline without a real Redis)
    return client.get(f"/console/inbox/{handover_id}").get_data(as_text=True)


def test_window_open_the_answer_goes_as_a_customer_service_message(console, inbox, sim,
                                                                   sms_gateway):
    left = inbox.leave(village="东湖村", sms_consent=True)
    sim.call("POST", "/sim/user-wrote", json={"openid": left.oa_openid})
    client, _ = console.sign_in("village_worker", village="东湖村")
    _answer(console, client, left.handover_id)
    page = _page_after_the_job(console, client, inbox, left.handover_id)
    assert "已通过公众号客服消息送达" in page and "发送中" not in page
    assert inbox.notices(left.handover_id) == [("customer_service",
                                                [("customer_service", "sent")])]
    [message] = sim.outbox(kind="custom")["messages"]
    assert "工作日上午都可以来。" in message["payload"]["text"]["content"]
    assert sms_gateway.outbox == []


def test_window_closed_with_consent_she_is_texted(console, inbox, sim, sms_gateway):
    left = inbox.leave(village="东湖村", phone="13812345678", sms_consent=True)
    client, _ = console.sign_in("village_worker", village="东湖村")
    _answer(console, client, left.handover_id)
    page = _page_after_the_job(console, client, inbox, left.handover_id)
    assert "已短信通知" in page
    assert "公众号客服消息：已超过48小时未互动" in page
    assert [phone for phone in (m["phone"] for m in sms_gateway.outbox)] == ["13812345678"]
    # The text is discreet: it says an answer is waiting, not what it says.
    assert "工作日上午" not in sms_gateway.outbox[0]["text"]


def test_neither_window_nor_consent_it_waits_in_her_notice_list(console, inbox, sim,
                                                                sms_gateway):
    left = inbox.leave(village="东湖村", sms_consent=False)
    client, _ = console.sign_in("village_worker", village="东湖村")
    _answer(console, client, left.handover_id)
    page = _page_after_the_job(console, client, inbox, left.handover_id)
    assert "居民下次打开时可在通知中看到" in page
    assert "短信：未同意短信" in page
    assert sim.outbox(kind="custom")["messages"] == [] and sms_gateway.outbox == []


def test_until_the_job_has_run_the_page_says_sending_and_asks_again(console, inbox):
    left = inbox.leave(village="东湖村")
    client, _ = console.sign_in("village_worker", village="东湖村")
    _answer(console, client, left.handover_id)
    inbox.notices(left.handover_id)
    inbox.as_if_still_sending(left.handover_id)
    page = client.get(f"/console/inbox/{left.handover_id}").get_data(as_text=True)
    assert "发送中" in page and "本页会自动更新" in page
    assert f'hx-get="/console/inbox/{left.handover_id}/delivery?poll=1"' in page
    fragment = client.get(f"/console/inbox/{left.handover_id}/delivery?poll=1",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "发送中" in fragment and "delivery?poll=2" in fragment
    # A queue that never catches up does not keep the page asking all day.
    last = client.get(f"/console/inbox/{left.handover_id}/delivery?poll=40").get_data(
        as_text=True)
    assert "hx-get" not in last and "请稍后刷新页面" in last


def test_once_delivered_the_section_stops_asking(console, inbox):
    left = inbox.leave(village="东湖村")
    client, _ = console.sign_in("village_worker", village="东湖村")
    _answer(console, client, left.handover_id)
    inbox.notices(left.handover_id)
    fragment = client.get(f"/console/inbox/{left.handover_id}/delivery?poll=3").get_data(
        as_text=True)
    assert "居民下次打开时可在通知中看到" in fragment and "hx-get" not in fragment


def test_an_open_message_has_no_delivery_to_show(console, inbox):
    left = inbox.leave(village="东湖村")
    client, _ = console.sign_in("village_worker", village="东湖村")
    page = client.get(f"/console/inbox/{left.handover_id}").get_data(as_text=True)
    assert "回复居民" in page and 'id="delivery"' not in page
