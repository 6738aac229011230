"""A resident's messages for staff from the pages or the mini-program (转人工, 请村里代办):
left once however often she taps, hers alone to read, answered by staff."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import error_code, login
from wxapp.extensions import db
from wxapp.models.faq import Handover


def test_message_left_for_staff_is_answered_and_she_reads_the_answer(client, sim, app_ctx):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
    from wxapp.transactions import commit

    seed_demo()
    commit()
    me = login(client, sim, "h5-asker")
    left = client.post("/api/v1/me/handovers", headers={**me, "Idempotency-Key": "handover-1"},
                       json={"message": "请村里代办生育登记，电话13812345678。"})
    assert left.status_code == 201, left.get_json()
    assert left.get_json()["status"] == "open" and left.get_json()["answer"] is None
    staff = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    answered = client.post(f"/api/v1/staff/faq/handovers/{left.get_json()['id']}/answer",
                           headers={"Authorization": f"Bearer {staff}"},
                           json={"answer": "好的，村里周三上门。"})
    assert answered.status_code == 200, answered.get_json()
    mine = client.get("/api/v1/me/handovers", headers=me).get_json()
    assert [(m["status"], m["answer"]) for m in mine] == [("answered", "好的，村里周三上门。")]


def test_a_double_tap_leaves_one_message(client, sim, app_ctx):
    me = login(client, sim, "h5-double")
    headers = {**me, "Idempotency-Key": "handover-twice"}
    first = client.post("/api/v1/me/handovers", headers=headers, json={"message": "请回电话"})
    again = client.post("/api/v1/me/handovers", headers=headers, json={"message": "请回电话"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.scalar(select(func.count(Handover.id))) == 1


def test_an_empty_message_is_refused_in_chinese_and_nothing_is_kept(client, sim, app_ctx):
    me = login(client, sim, "h5-empty")
    response = client.post("/api/v1/me/handovers", headers=me, json={"message": ""})
    assert response.status_code == 422
    assert error_code(response) == "request.validation_failed"
    blank = client.post("/api/v1/me/handovers", headers=me, json={"message": "   "})
    assert error_code(blank) == "handover.empty"
    assert "不能为空" in blank.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Handover.id))) == 0


def test_another_residents_messages_are_not_hers_to_read(client, sim, app_ctx):
    first = login(client, sim, "h5-first")
    client.post("/api/v1/me/handovers", headers=first, json={"message": "我的私事"})
    second = login(client, sim, "h5-second")
    assert client.get("/api/v1/me/handovers", headers=second).get_json() == []
    assert client.get("/api/v1/me/handovers").status_code == 401


def _staff(client, username):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

    token = client.post("/api/v1/staff/auth/login", json={
        "username": username, "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_asking_the_village_to_file_reaches_that_villages_worker(client, sim, app_ctx):
    from wxapp.models import StaffNotice, StaffUser, Village
    from wxapp.seeding.seed import seed_demo
    from wxapp.transactions import commit

    seed_demo()
    commit()
    villages = {v.name: v.id for v in db.session.scalars(select(Village))}
    me = login(client, sim, "h5-village-help")
    left = client.post("/api/v1/me/handovers", headers=me, json={
        "message": "请村里代办生育登记。联系电话：13812345678。", "purpose": "filing_help",
        "village_id": villages["东湖村"]})
    assert left.status_code == 201, left.get_json()
    handover_id = left.get_json()["id"]
    # Her village's worker sees it and is alerted (console notice, texted if she has a phone).
    worker = _staff(client, "demo-village")  # 东湖村
    assert [h["id"] for h in client.get("/api/v1/staff/faq/handovers", headers=worker)
            .get_json()] == [handover_id]
    worker_id = db.session.scalars(select(StaffUser.id).filter_by(username="demo-village")).one()
    [notice] = db.session.scalars(select(StaffNotice).filter_by(staff_id=worker_id))
    assert notice.kind == f"filing_help:{handover_id}" and notice.sms_status == "pending"
    assert "13812345678" not in notice.text  # the alert names no one
    # A worker of another village neither sees nor answers it.
    other = client.post("/api/v1/staff/accounts", headers=_staff(client, "demo-admin"), json={
        "username": "xiling-worker", "display_name": "西岭村专干", "role": "village_worker",
        "village_id": villages["西岭村"], "password": "Xiling-pass-2026!"})
    assert other.status_code == 201, other.get_json()
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "xiling-worker", "password": "Xiling-pass-2026!"}).get_json()["token"]
    stranger = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/staff/faq/handovers", headers=stranger).get_json() == []
    refused = client.post(f"/api/v1/staff/faq/handovers/{handover_id}/answer",
                          headers=stranger, json={"answer": "好的"})
    assert refused.status_code == 404
    answered = client.post(f"/api/v1/staff/faq/handovers/{handover_id}/answer",
                           headers=worker, json={"answer": "明天上午到您家。"})
    assert answered.status_code == 200
    mine = client.get("/api/v1/me/handovers", headers=me).get_json()
    assert mine[0]["answer"] == "明天上午到您家。" and mine[0]["purpose"] == "filing_help"


def test_an_unknown_village_is_refused_and_nothing_is_kept(client, sim, app_ctx):
    me = login(client, sim, "h5-nowhere")
    response = client.post("/api/v1/me/handovers", headers=me, json={
        "message": "请村里代办", "purpose": "filing_help", "village_id": 999999})
    assert response.status_code == 422 and error_code(response) == "handover.village_unknown"
    bad = client.post("/api/v1/me/handovers", headers=me, json={
        "message": "请村里代办", "purpose": "everything"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(Handover.id))) == 0


def test_staff_api_lists_and_answers_her_message_with_its_numbers_masked(client, sim, app_ctx):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
    from wxapp.transactions import commit

    seed_demo()
    commit()
    me = login(client, sim, "h5-numbers")
    typed = "请回电13812345678，我身份证号320102199001011234。"
    left = client.post("/api/v1/me/handovers", headers=me, json={"message": typed})
    assert left.get_json()["message"] == typed  # her own, as she wrote it
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    staff = {"Authorization": f"Bearer {token}"}
    [listed] = client.get("/api/v1/staff/faq/handovers", headers=staff).get_json()
    answered = client.post(f"/api/v1/staff/faq/handovers/{listed['id']}/answer", headers=staff,
                           json={"answer": "好的，稍后回电。"}).get_json()
    masked = "请回电138****5678，我身份证号3201********1234。"
    assert listed["message"] == answered["message"] == masked
    assert db.session.scalars(select(Handover)).one().message == typed  # kept in full
