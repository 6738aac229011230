"""Decisions at the desk: return with the ticked items (one notice), reject with a reason,
batch approval that skips conflicted cases, the same decision sent twice acting once, CSRF,
and nothing saved from a refused decision."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.console.desk_data import make_desk
from tests.factories import registration_form
from tests.helpers import allow_messages, drain_jobs, login
from wxapp.models import AuditLog, RegistrationEvent, ResidentNotice
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION

TEMPLATE = "TPL_REGISTRATION_RESULT"


@pytest.fixture
def desk(app):
    return make_desk(app)


@pytest.fixture
def residents_case(client, sim, desk):
    """A resident's own submission (promised documents: one conflict flag), who allowed
    three notices, so that a second notice would be sent if one were made."""
    me = login(client, sim, "desk-notified")
    openid = allow_messages(client, sim, me, "desk-notified", TEMPLATE, times=3)
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    response = client.post("/api/v1/me/registrations", headers=me,
                           json=registration_form(desk.villages["东湖村"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], openid


def _events(desk, case_id):
    return [e.to_status for e in desk.scalars(select(RegistrationEvent).filter_by(
        registration_id=case_id).order_by(RegistrationEvent.id))]


def test_return_with_two_ticked_items_sends_one_notice(console, desk, residents_case,
                                                       sim):
    case_id, openid = residents_case
    client, _ = console.sign_in("reviewer")
    page = client.get(f"/console/registrations/{case_id}").get_data(as_text=True)
    assert "材料承诺后补" in page and "承诺后补" in page  # the conflict, in words
    response = console.post(client, f"/console/registrations/{case_id}/return", {
        "items": ["mother.name", "documents.hukou_page"],
        "note-mother.name": "女方姓名少了一个字，请按身份证填写。"})
    assert response.status_code == 302
    reg = desk.reload(case_id)
    assert reg.status == "returned"
    assert reg.return_items == [
        {"field": "mother.name", "message": "女方姓名少了一个字，请按身份证填写。"},
        {"field": "documents.hukou_page", "message": "户口簿照片不清晰或缺失，请重新上传。"}]
    with desk.ctx():
        drain_jobs()
    sent = sim.outbox(touser=openid)["messages"]
    assert len(sent) == 1 and sent[0]["payload"]["data"]["phrase2"]["value"] == "已退回待修改"
    [notice] = desk.scalars(select(ResidentNotice).filter_by(subject=f"registration:{case_id}"))
    assert "女方姓名少了一个字" in notice.text and "户口簿照片不清晰" in notice.text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "一次性通知申请人" in page and "女方姓名少了一个字" in page
    # Sent again (the back button): nothing is returned twice, and no second notice.
    again = console.post(client, f"/console/registrations/{case_id}/return",
                         {"items": ["mother.name"]})
    with desk.ctx():
        drain_jobs()
    assert len(sim.outbox(touser=openid)["messages"]) == 1
    assert len(desk.scalars(select(ResidentNotice).filter_by(
        subject=f"registration:{case_id}"))) == 1
    assert _events(desk, case_id) == ["submitted", "returned"]
    assert "没有重复退回" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_return_with_nothing_ticked_is_refused_and_changes_nothing(console, desk):
    case = desk.file()
    client, _ = console.sign_in("reviewer")
    response = console.post(client, f"/console/registrations/{case.id}/return", {"other": " "})
    assert response.status_code == 302 and response.headers["Location"].endswith("#return")
    assert desk.reload(case).status == "submitted"
    assert "请至少勾选一项" in client.get(response.headers["Location"]).get_data(as_text=True)
    # An invented item is refused too, before anything changes.
    console.post(client, f"/console/registrations/{case.id}/return",
                 {"items": ["mother.name", "salary"]})
    assert desk.reload(case).status == "submitted" and desk.reload(case).return_items is None
    assert desk.scalars(select(AuditLog).filter_by(action="registration.returned")) == []


def test_reject_needs_a_reason(console, desk):
    case = desk.file()
    client, _ = console.sign_in("reviewer")
    refused = console.post(client, f"/console/registrations/{case.id}/reject", {"reason": "  "})
    assert desk.reload(case).status == "submitted"
    assert "请填写不予登记的原因" in client.get(refused.headers["Location"]).get_data(as_text=True)
    console.post(client, f"/console/registrations/{case.id}/reject",
                 {"reason": "男方已有登记在外县办理。"})
    reg = desk.reload(case)
    assert reg.status == "rejected" and reg.reject_reason == "男方已有登记在外县办理。"


def test_a_double_submitted_approval_acts_once_and_says_so(console, desk):
    case = desk.file()
    client, _ = console.sign_in("reviewer")
    first = console.post(client, f"/console/registrations/{case.id}/approve")
    second = console.post(client, f"/console/registrations/{case.id}/approve")
    assert first.status_code == second.status_code == 302
    reg = desk.reload(case)
    assert reg.status == "approved" and reg.registration_number
    assert _events(desk, case.id) == ["submitted", "approved"]
    assert desk.scalar(select(func.count()).select_from(AuditLog).filter_by(
        action="registration.approved")) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "已经准予登记，本次没有重复办理" in page
    assert reg.registration_number in page and "打印登记凭证" in page


def test_batch_approval_of_three_skips_the_conflicted_one_and_says_which(console,
                                                                        desk):
    clean_one, conflicted, clean_two = desk.file(), desk.file(promised=True), desk.file()
    client, _ = console.sign_in("reviewer")
    queue = client.get("/console/registrations?view=all").get_data(as_text=True)
    assert f'value="{conflicted.id}"' in queue and "材料承诺后补" in queue
    response = console.post(client, "/console/registrations/batch-approve", {
        "ids": [str(clean_one.id), str(conflicted.id), str(clean_two.id)],
        "back": "/console/registrations?view=all"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/registrations?view=all")
    statuses = [desk.reload(r).status for r in (clean_one, conflicted, clean_two)]
    assert statuses == ["approved", "submitted", "approved"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已批量准予登记 2 件" in page
    assert f"{conflicted.application_no}未办理" in page and "请逐件审核" in page


def test_batch_approval_never_reaches_another_township_or_a_decided_case(console,
                                                                        desk):
    decided = desk.file()
    desk.approve(decided)
    waiting = desk.file()
    client, _ = console.sign_in("reviewer")
    console.post(client, "/console/registrations/batch-approve",
                 {"ids": [str(decided.id), "999999", str(waiting.id)]})
    assert _events(desk, decided.id) == ["submitted", "approved"]
    assert desk.reload(waiting).status == "approved"
    empty = console.post(client, "/console/registrations/batch-approve", {})
    assert "请先勾选" in client.get(empty.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("action,data", [("approve", {}), ("reject", {"reason": "不符合"}),
                                         ("return", {"items": ["mother.name"]})])
def test_a_decision_without_csrf_token_is_refused(console, desk, action, data):
    case = desk.file()
    client, _ = console.sign_in("reviewer")
    client.get(f"/console/registrations/{case.id}")
    response = client.post(f"/console/registrations/{case.id}/{action}", data=data)
    assert response.status_code == 400
    assert "页面已过期或来源无法确认" in response.get_data(as_text=True)
    assert desk.reload(case).status == "submitted"
    wrong = client.post(f"/console/registrations/{case.id}/{action}",
                        data={**data, "csrf_token": "not-the-token"})
    assert wrong.status_code == 400 and desk.reload(case).status == "submitted"


def test_a_correction_is_decided_at_the_desk(console, desk, client, sim):
    me = login(client, sim, "desk-correction")
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    form = registration_form(desk.villages["东湖村"])
    case_id = client.post("/api/v1/me/registrations", headers=me, json=form).get_json()["id"]
    reviewer, _ = console.sign_in("reviewer")
    console.post(reviewer, f"/console/registrations/{case_id}/approve")
    old_code = desk.reload(case_id).certificate_code
    asked = client.post(f"/api/v1/me/registrations/{case_id}/correction", headers=me,
                        json={**form, "mother": {**form["mother"], "name": "王芳芳"}})
    assert asked.status_code == 200, asked.get_json()
    page = reviewer.get(f"/console/registrations/{case_id}").get_data(as_text=True)
    assert "申请人申请更正" in page and "王芳芳" in page
    console.post(reviewer, f"/console/registrations/{case_id}/correction",
                 {"decision": "accept", "note": "核对户口簿无误"})
    reg = desk.reload(case_id)
    assert reg.status == "approved" and reg.mother_name == "王芳芳"
    assert reg.certificate_code != old_code
    again = console.post(reviewer, f"/console/registrations/{case_id}/correction",
                         {"decision": "accept"})
    assert "已经审核过" in reviewer.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.postgres_only
def test_two_approvals_sent_at_once_register_the_case_once(app, desk):
    """Two reviewers (or a double click reaching two workers) approve at the same moment: the
    case is locked for the decision, so the second sees the first's status and is refused."""
    import threading

    from wxapp.errors import Conflict
    from wxapp.services.registration import review
    from wxapp.transactions import commit, rollback

    case = desk.file()
    barrier = threading.Barrier(2)
    outcomes = []

    def approve():
        with app.app_context():
            reviewer = desk.member("demo-reviewer")
            barrier.wait()
            try:
                review.approve(reviewer, case.id)
                commit()
                outcomes.append("approved")
            except Conflict as exc:
                rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "registration.illegal_transition"]
    assert _events(desk, case.id) == ["submitted", "approved"]
