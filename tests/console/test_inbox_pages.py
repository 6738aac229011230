"""居民求助 in the console: who sees which messages, numbers masked until an audited reveal,
and an answer that is given once, whatever how often it is sent."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.console.inbox_data import Inbox
from wxapp.extensions import db
from wxapp.models import AuditLog, ResidentNotice


@pytest.fixture
def inbox(app):
    return Inbox(app)


def _rows(inbox, query) -> list:
    with inbox.app.app_context():
        return list(db.session.scalars(query))


def test_a_village_worker_sees_only_her_villages_requests(console, inbox):
    mine = inbox.leave("请村里代办生育登记。", village="东湖村")
    theirs = inbox.leave("请村里代办，谢谢。", village="西岭村")
    office = inbox.leave("周末上班吗？")
    client, _ = console.sign_in("village_worker", village="东湖村")
    page = client.get("/console/inbox").get_data(as_text=True)
    assert f"/console/inbox/{mine.handover_id}" in page
    assert f"/console/inbox/{theirs.handover_id}" not in page
    assert f"/console/inbox/{office.handover_id}" not in page
    assert "（<span class=\"count\">1</span> 条）" in page
    for other in (theirs, office):
        assert client.get(f"/console/inbox/{other.handover_id}").status_code == 404
        refused = console.post(client, f"/console/inbox/{other.handover_id}/answer",
                               data={"answer": "好的"})
        assert refused.status_code == 404
        assert inbox.handover(other.handover_id).status == "open"
        assert client.get(f"/console/inbox/{other.handover_id}/delivery").status_code == 404


@pytest.mark.parametrize("role", ["township_admin", "reviewer"])
def test_the_office_and_reviewers_see_every_message(console, inbox, role):
    left = [inbox.leave("请村里代办。", village="西岭村"), inbox.leave("周末上班吗？")]
    client, _ = console.sign_in(role)
    page = client.get("/console/inbox").get_data(as_text=True)
    assert all(f"/console/inbox/{m.handover_id}" in page for m in left)
    assert client.get(f"/console/inbox/{left[0].handover_id}").status_code == 200


def test_clinic_staff_may_not_open_the_inbox(console, inbox):
    left = inbox.leave()
    client, _ = console.sign_in("clinic")
    assert client.get("/console/inbox").status_code == 403
    assert client.get(f"/console/inbox/{left.handover_id}").status_code == 403
    assert console.post(client, f"/console/inbox/{left.handover_id}/answer",
                        data={"answer": "好的"}).status_code == 403
    assert inbox.handover(left.handover_id).status == "open"
    assert "居民求助" not in client.get("/console/account").get_data(as_text=True)


def test_signed_out_the_inbox_asks_for_sign_in(console, inbox):
    response = console.client().get("/console/inbox")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_numbers_are_masked_until_an_audited_reveal(console, inbox):
    left = inbox.leave("请回电13911112222，身份证320102199605123021。", village="东湖村",
                       name="王芳", phone="13812345678")
    client, staff = console.sign_in("village_worker", village="东湖村")
    listed = client.get("/console/inbox").get_data(as_text=True)
    page = client.get(f"/console/inbox/{left.handover_id}").get_data(as_text=True)
    for html in (listed, page):
        assert "13911112222" not in html and "320102199605123021" not in html
        assert "13812345678" not in html and "王芳" not in html
    assert "139****2222" in page and "3201********3021" in page and "王*" in page
    assert "138****5678" in page
    shown = console.post(client, f"/console/reveal/handover/{left.handover_id}/phone",
                         htmx=True)
    assert shown.status_code == 200 and "13812345678" in shown.get_data(as_text=True)
    whole = console.post(client, f"/console/reveal/handover/{left.handover_id}/message",
                         htmx=True)
    assert "13911112222" in whole.get_data(as_text=True)
    revealed = _rows(inbox, select(AuditLog).filter_by(action="personal_data.revealed",
                                                       actor_id=str(staff.id)))
    assert [(r.target_type, r.target_id, r.detail["field"]) for r in revealed] == [
        ("handover", str(left.handover_id), "phone"),
        ("handover", str(left.handover_id), "message")]
    reads = _rows(inbox, select(AuditLog).filter_by(action="handover.read",
                                                    actor_id=str(staff.id)))
    assert reads, "opening a message is a recorded read"


def test_another_villages_worker_cannot_reveal_the_number(console, inbox):
    left = inbox.leave("请村里代办。", village="东湖村")
    client, _ = console.sign_in("village_worker", village="西岭村")
    response = console.post(client, f"/console/reveal/handover/{left.handover_id}/phone",
                            htmx=True)
    assert response.status_code == 404
    assert "13812345678" not in response.get_data(as_text=True)
    assert _rows(inbox, select(AuditLog).filter_by(action="personal_data.revealed")) == []


@pytest.mark.parametrize(("typed", "says"), [
    ("   ", "回复内容不能为空"),
    ("好" * 1001, "最多1000字"),
])
def test_a_bad_answer_is_refused_beside_the_field_and_nothing_is_sent(console, inbox, typed,
                                                                     says):
    left = inbox.leave()
    client, _ = console.sign_in("reviewer")
    response = console.post(client, f"/console/inbox/{left.handover_id}/answer",
                            data={"answer": typed})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert says in html and 'id="answer-error"' in html and 'aria-invalid="true"' in html
    assert inbox.handover(left.handover_id).status == "open"
    assert _rows(inbox, select(ResidentNotice)) == []


def test_an_answer_without_the_csrf_token_is_refused(console, inbox):
    left = inbox.leave()
    client, _ = console.sign_in("reviewer")
    client.get(f"/console/inbox/{left.handover_id}")
    response = client.post(f"/console/inbox/{left.handover_id}/answer", data={"answer": "好的"})
    assert response.status_code == 400
    assert inbox.handover(left.handover_id).status == "open"


def test_a_double_submitted_answer_is_sent_once_and_says_so(console, inbox, sim):
    left = inbox.leave()
    sim.call("POST", "/sim/user-wrote", json={"openid": left.oa_openid})
    client, staff = console.sign_in("township_admin")
    first = console.post(client, f"/console/inbox/{left.handover_id}/answer",
                         data={"answer": "周末不上班，工作日8点到5点。"})
    again = console.post(client, f"/console/inbox/{left.handover_id}/answer",
                         data={"answer": "周末不上班。"})
    assert first.status_code == again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "已经回复过了，本次没有重复发送" in page
    handover = inbox.handover(left.handover_id)
    assert handover.answer == "周末不上班，工作日8点到5点。"
    assert handover.answered_by_staff_id == staff.id
    assert len(inbox.notices(left.handover_id)) == 1
    assert len(sim.outbox(kind="custom")["messages"]) == 1


def test_an_answered_message_moves_to_the_answered_list(console, inbox):
    left = inbox.leave("请问孕前检查要带什么？")
    client, _ = console.sign_in("reviewer")
    console.post(client, f"/console/inbox/{left.handover_id}/answer",
                 data={"answer": "夫妻双方身份证。"})
    inbox.notices(left.handover_id)  # the delivery job has run
    still_open = client.get("/console/inbox").get_data(as_text=True)
    assert f"/console/inbox/{left.handover_id}" not in still_open
    answered = client.get("/console/inbox?view=answered").get_data(as_text=True)
    assert f"/console/inbox/{left.handover_id}" in answered
    assert "测试审核员" in answered and "居民下次打开时可在通知中看到" in answered


@pytest.mark.postgres_only
def test_two_answers_sent_at_once_answer_once(app, inbox, console):
    """Two workers of the village answer at the same moment: the first answer stands, the
    other is told it was already answered, and the resident hears once."""
    import threading

    from wxapp.errors import ValidationFailed
    from wxapp.models import StaffUser
    from wxapp.services.chat import handovers
    from wxapp.transactions import commit, rollback

    left = inbox.leave("请村里代办。", village="东湖村")
    workers = [console.make_staff("village_worker", village="东湖村").id for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(staff_id, text):
        with app.app_context():
            staff = db.session.get(StaffUser, staff_id)
            barrier.wait()
            try:
                handovers.answer(staff, left.handover_id, text)
                commit()
                outcomes.append("answered")
            except ValidationFailed as exc:
                rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=answer, args=(staff_id, f"明天上门（{n}）"))
               for n, staff_id in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["answered", "handover.already_answered"]
    assert len(inbox.notices(left.handover_id)) == 1
    handover = inbox.handover(left.handover_id)
    assert handover.answer.startswith("明天上门")
    assert handover.answered_by_staff_id in workers
