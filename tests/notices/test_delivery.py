"""Every notice reaches the resident by exactly one channel, in order: subscribe message
(grant held), customer-service message (48-hour window open), SMS (her consent), else only
her notice list. Each channel tried is recorded for staff."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import drain_jobs, error_code, login
from wxapp.extensions import db
from wxapp.models import NoticeDelivery, Resident, ResidentNotice, ResidentProfile
from wxapp.models.base import utcnow
from wxapp.services.resident_notices import BySms, BySubscribe, deliver_notice, tell
from wxapp.transactions import commit

TEMPLATE = "TPL_REGISTRATION_RESULT"
PHONE = "13900001111"


@pytest.fixture
def resident(client, sim, app_ctx):
    """A resident of both the mini-program and the official account (linked by unionid),
    with a phone number in her profile and no consent to texts yet."""
    headers = login(client, sim, "notice-nina")
    resident_id = client.get("/api/v1/me", headers=headers).get_json()["id"]
    resident = db.session.get(Resident, resident_id)
    resident.oa_openid = "oa-notice-nina"
    resident.follows_official_account = True
    db.session.add(ResidentProfile(resident_id=resident_id, name="倪娜", phone=PHONE))
    commit()
    resident.headers = headers
    resident.openid = sim.login_code("notice-nina")["openid"]
    return resident


def _grant(client, sim, resident):
    sim.call("POST", "/sim/grant-subscribe", json={"openid": resident.openid,
                                                   "template_id": TEMPLATE})
    client.post("/api/v1/me/subscribe-grants", headers=resident.headers,
                json={"results": {TEMPLATE: "accept"}})


def _tell(resident, key="decision"):
    notice = tell(resident.id, "registration_approved", dedupe_key=key,
                  subject="registration:1", title="生育登记已登记", text="您的生育登记已登记。",
                  subscribe=BySubscribe(TEMPLATE, {"thing1": "生育登记", "phrase2": "已登记"}),
                  sms=BySms("service_update", ["生育登记", "已登记"]))
    notice_id = notice.id
    commit()
    drain_jobs()
    db.session.expire_all()
    return db.session.get(ResidentNotice, notice_id)


def _bare_notice(resident, key) -> int:
    """A notice whose delivery job the test runs by hand (tell() queues one itself)."""
    notice = ResidentNotice(resident_id=resident.id, kind="x", dedupe_key=key, title="t",
                            text="x")
    db.session.add(notice)
    commit()
    return notice.id


def _messages(sim, sms_gateway):
    wechat = sim.outbox()["messages"]
    return ([m["kind"] for m in wechat], [m["phone"] for m in sms_gateway.outbox])


def _attempts(notice):
    return [(d.channel, d.status) for d in notice.deliveries]


def test_a_held_grant_sends_the_subscribe_message_and_nothing_else(client, sim, sms_gateway,
                                                                    resident):
    _grant(client, sim, resident)
    sim.call("POST", "/sim/user-wrote", json={"openid": resident.oa_openid})
    notice = _tell(resident)
    assert notice.delivered_via == "subscribe"
    assert _attempts(notice) == [("subscribe", "sent")]
    assert _messages(sim, sms_gateway) == (["subscribe"], [])


def test_without_a_grant_the_chat_message_goes_while_the_window_is_open(client, sim,
                                                                         sms_gateway, resident):
    sim.call("POST", "/sim/user-wrote", json={"openid": resident.oa_openid})
    notice = _tell(resident)
    assert notice.delivered_via == "customer_service"
    assert _attempts(notice) == [("subscribe", "no_grant"), ("customer_service", "sent")]
    [message] = sim.outbox(kind="custom")["messages"]
    assert message["payload"]["text"]["content"] == "生育登记已登记\n您的生育登记已登记。"
    assert _messages(sim, sms_gateway) == (["custom"], [])


def test_window_closed_goes_to_sms_when_she_agreed(client, sim, sms_gateway, resident):
    client.put("/api/v1/me/sms-consent", headers=resident.headers, json={"consent": True})
    notice = _tell(resident)
    assert notice.delivered_via == "sms"
    assert _attempts(notice) == [("subscribe", "no_grant"),
                                 ("customer_service", "window_closed"), ("sms", "sent")]
    assert [d.code for d in notice.deliveries][1] == "45015"
    assert _messages(sim, sms_gateway) == ([], [PHONE])
    assert "生育登记" in sms_gateway.outbox[0]["text"]


def test_without_consent_it_waits_in_her_notice_list(client, sim, sms_gateway, resident):
    notice = _tell(resident)
    assert notice.delivered_via == "notice_list"
    assert _attempts(notice) == [("subscribe", "no_grant"), ("customer_service", "window_closed"),
                                 ("sms", "no_consent"), ("notice_list", "listed")]
    assert _messages(sim, sms_gateway) == ([], [])
    listed = client.get("/api/v1/me/notices", headers=resident.headers).get_json()
    assert listed["unread"] == 1 and listed["items"][0]["title"] == "生育登记已登记"


def test_an_sms_rate_limit_falls_through_to_the_list(client, sim, sms_gateway, resident):
    client.put("/api/v1/me/sms-consent", headers=resident.headers, json={"consent": True})
    assert _tell(resident, "first").delivered_via == "sms"
    # The same template to the same number within 30 s: Tencent's frequency limit.
    notice = _tell(resident, "second")
    assert notice.delivered_via == "notice_list"
    assert ("sms", "rate_limited") in _attempts(notice)
    assert len(sms_gateway.outbox) == 1


def test_telling_the_same_event_twice_makes_one_notice_and_one_message(client, sim, sms_gateway,
                                                                       resident):
    _grant(client, sim, resident)
    _grant(client, sim, resident)
    first, again = _tell(resident), _tell(resident)
    assert first.id == again.id
    assert _messages(sim, sms_gateway) == (["subscribe"], [])
    # The delivery job run again (a retried job) finds it delivered.
    assert deliver_notice(first.id, None, None) == ""
    assert len(sim.outbox()["messages"]) == 1


def test_a_gateway_error_is_retried_from_the_start_and_sends_once(client, sim, sms_gateway,
                                                                  resident):
    client.put("/api/v1/me/sms-consent", headers=resident.headers, json={"consent": True})
    sms_gateway.fail_next("InternalError")
    notice_id = _bare_notice(resident, "flaky")
    with pytest.raises(Exception, match="InternalError"):
        deliver_notice(notice_id, None, {"template": "service_update",
                                         "params": ["生育登记", "已登记"]})
    assert deliver_notice(notice_id, None, {"template": "service_update",
                                            "params": ["生育登记", "已登记"]}) == "sms"
    statuses = [d.status for d in db.session.scalars(
        select(NoticeDelivery).filter_by(notice_id=notice_id, channel="sms"))]
    assert statuses[-1] == "sent" and "retrying" in statuses
    assert len(sms_gateway.outbox) == 1


def test_a_transient_wechat_error_gives_the_grant_back_for_the_retry(client, sim, sms_gateway,
                                                                     resident):
    _grant(client, sim, resident)
    sim.call("POST", "/sim/fail-next", json={"path": "/cgi-bin/message/subscribe/send",
                                             "errcode": -1})
    notice_id = _bare_notice(resident, "flaky-wechat")
    spec = {"template_id": TEMPLATE, "data": {"thing1": "x"}, "page": None}
    with pytest.raises(Exception, match="-1"):
        deliver_notice(notice_id, spec, None)
    assert deliver_notice(notice_id, spec, None) == "subscribe"
    assert len(sim.outbox(kind="subscribe")["messages"]) == 1


@pytest.mark.postgres_only
def test_two_delivery_jobs_at_once_send_once(app, client, sim, sms_gateway, resident):
    client.put("/api/v1/me/sms-consent", headers=resident.headers, json={"consent": True})
    notice_id = _bare_notice(resident, "twice")
    spec = {"template": "service_update", "params": ["生育登记", "已登记"]}
    barrier, results = threading.Barrier(2), []

    def run():
        with app.app_context():
            barrier.wait(timeout=30)
            results.append(deliver_notice(notice_id, None, spec))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["", "sms"]
    assert len(sms_gateway.outbox) == 1


def test_a_stale_claim_of_a_dead_worker_is_taken_over(client, sim, sms_gateway, resident):
    notice_id = _bare_notice(resident, "stale")
    db.session.get(ResidentNotice, notice_id).delivering_since = utcnow()
    commit()
    assert deliver_notice(notice_id, None, None) == ""  # another run has it
    db.session.get(ResidentNotice, notice_id).delivering_since = utcnow() - timedelta(minutes=11)
    commit()
    assert deliver_notice(notice_id, None, None) == "notice_list"


# -- the resident's side ------------------------------------------------------------------------
def test_her_notices_are_hers_alone(client, sim, sms_gateway, resident):
    notice = _tell(resident)
    other = login(client, sim, "notice-olga")
    assert client.get("/api/v1/me/notices", headers=other).get_json()["items"] == []
    response = client.post(f"/api/v1/me/notices/{notice.id}/read", headers=other)
    assert response.status_code == 404 and error_code(response) == "notice.not_found"
    mine = client.post(f"/api/v1/me/notices/{notice.id}/read", headers=resident.headers)
    assert mine.status_code == 200 and mine.get_json()["read"] is True
    assert client.post(f"/api/v1/me/notices/{notice.id}/read",
                       headers=resident.headers).status_code == 200
    assert client.get("/api/v1/me/notices", headers=resident.headers).get_json()["unread"] == 0


def test_sms_consent_needs_a_number_and_shows_it_masked(client, sim, resident):
    answer = client.put("/api/v1/me/sms-consent", headers=resident.headers,
                        json={"consent": True}).get_json()
    assert answer == {"sms_consent": True, "phone": "139****1111"}
    assert client.put("/api/v1/me/sms-consent", headers=resident.headers,
                      json={"consent": False}).get_json()["sms_consent"] is False
    stranger = login(client, sim, "notice-no-phone")
    response = client.put("/api/v1/me/sms-consent", headers=stranger, json={"consent": True})
    assert response.status_code == 422 and error_code(response) == "notice.no_phone"
    assert "手机号码" in response.get_json()["error"]["message"]
    bad = client.put("/api/v1/me/sms-consent", headers=resident.headers, json={"consent": "maybe"})
    assert bad.status_code in (400, 422)
