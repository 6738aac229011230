"""What residents tell the programme after a pickup, about a point, and how they would rather
receive supplies."""
from __future__ import annotations

from sqlalchemy import select

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import SupplyPreference, SupplyTask


def _dispensed_pickup(client, me, world, cabinet):
    body = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": world["points"]["CAB-DH-01"],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": 3}]}).get_json()
    cabinet.post("/redeem", {"code": body["code"]})
    cabinet.post("/dispense-results", {"event_id": f"evt-fb-{body['id']:04d}",
                                       "pickup_id": body["id"], "ok": True})
    return body["id"]


def test_side_effects_answer_creates_a_discreet_follow_up_task(client, world, resident,
                                                               cabinet, staff_headers):
    me = resident()
    pickup_id = _dispensed_pickup(client, me, world, cabinet)
    answered = client.post(f"/api/v1/me/pickups/{pickup_id}/follow-up", headers=me,
                           json={"answer": "side_effects"})
    assert answered.status_code == 200 and answered.get_json()["follow_up_answer"] == \
        "side_effects"
    task = db.session.scalars(select(SupplyTask).filter_by(kind="follow_up")).one()
    assert task.pickup_id == pickup_id and "不良反应" in task.detail
    assert "避孕套" not in task.detail  # the task says what to ask about, not what was taken
    worker_tasks = client.get("/api/v1/staff/supplies/tasks", headers=staff_headers("demo-village"),
                              query_string={"kind": "follow_up"}).get_json()
    assert [t["id"] for t in worker_tasks] == [task.id]
    office_tasks = client.get("/api/v1/staff/supplies/tasks", headers=staff_headers(),
                              query_string={"kind": "follow_up"}).get_json()
    assert office_tasks == []
    from wxapp.models import AuditLog

    assert db.session.scalars(select(AuditLog).filter_by(
        action="supplies.follow_up_tasks_read")).first() is not None
    retried = client.post(f"/api/v1/me/pickups/{pickup_id}/follow-up", headers=me,
                          json={"answer": "side_effects"})
    assert retried.status_code == 200
    assert len(db.session.scalars(select(SupplyTask).filter_by(kind="follow_up")).all()) == 1
    changed = client.post(f"/api/v1/me/pickups/{pickup_id}/follow-up", headers=me,
                          json={"answer": "fine"})
    assert changed.status_code == 409 and error_code(changed) == "pickup.follow_up_answered"


def test_fine_answer_makes_no_task_and_others_cannot_answer(client, world, resident, cabinet):
    me = resident()
    pickup_id = _dispensed_pickup(client, me, world, cabinet)
    stranger = resident("stranger")
    assert client.post(f"/api/v1/me/pickups/{pickup_id}/follow-up", headers=stranger,
                        json={"answer": "fine"}).status_code == 404
    assert client.post(f"/api/v1/me/pickups/{pickup_id}/follow-up", headers=me,
                       json={"answer": "fine"}).status_code == 200
    assert db.session.scalars(select(SupplyTask).filter_by(kind="follow_up")).first() is None
    bad = client.post(f"/api/v1/me/pickups/{pickup_id}/follow-up", headers=me,
                      json={"answer": "maybe"})
    assert bad.status_code == 422


def test_follow_up_only_after_a_pickup_is_done(client, world, resident):
    me = resident()
    body = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": world["points"]["CAB-DH-01"],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": 1}]}).get_json()
    early = client.post(f"/api/v1/me/pickups/{body['id']}/follow-up", headers=me,
                        json={"answer": "fine"})
    assert early.status_code == 409 and error_code(early) == "pickup.follow_up_not_open"


def test_reporting_an_empty_point_twice_makes_one_task(client, world, resident):
    me = resident()
    cab = world["points"]["CAB-XL-01"]
    for _ in range(2):
        response = client.post(f"/api/v1/supply-points/{cab}/reports", headers=me,
                               json={"kind": "empty", "note": "中号没有了"})
        assert response.status_code == 201
    tasks = db.session.scalars(select(SupplyTask).filter_by(kind="point_report")).all()
    assert len(tasks) == 1 and "缺货" in tasks[0].detail
    assert client.post(f"/api/v1/supply-points/{cab}/reports", headers=me,
                       json={"kind": "stolen"}).status_code == 422
    assert client.post("/api/v1/supply-points/999999/reports", headers=me,
                       json={"kind": "broken"}).status_code == 404


def test_service_mode_is_kept_per_resident(client, world, resident):
    me, other = resident(), resident("other")
    assert client.get("/api/v1/me/supply-preference", headers=me).get_json()["mode"] is None
    saved = client.put("/api/v1/me/supply-preference", headers=me,
                       json={"mode": "home_delivery_scheduled", "note": "晚上在家"})
    assert saved.get_json() == {"mode": "home_delivery_scheduled", "note": "晚上在家"}
    client.put("/api/v1/me/supply-preference", headers=me, json={"mode": "community_office"})
    assert client.get("/api/v1/me/supply-preference", headers=me).get_json()["mode"] == \
        "community_office"
    assert client.get("/api/v1/me/supply-preference", headers=other).get_json()["mode"] is None
    assert len(db.session.scalars(select(SupplyPreference)).all()) == 1
    assert client.put("/api/v1/me/supply-preference", headers=me,
                      json={"mode": "drone"}).status_code == 422


def test_a_code_about_to_expire_is_told_once_in_discreet_words(client, world, resident):
    from datetime import UTC, datetime, timedelta

    import time_machine

    from wxapp.models import Pickup, ResidentNotice
    from wxapp.services.supplies.feedback import warn_of_expiring_codes
    from wxapp.transactions import commit

    me = resident()
    body = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": world["points"]["CAB-DH-01"],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": 1}]}).get_json()
    expires = db.session.get(Pickup, body["id"]).expires_at
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert warn_of_expiring_codes(now=expires - timedelta(minutes=25)) == 0  # plenty of time
    with time_machine.travel(expires - timedelta(minutes=8), tick=False):
        assert warn_of_expiring_codes() == 1
        commit()
        assert warn_of_expiring_codes() == 0  # told once, however often the job runs
    [notice] = db.session.scalars(select(ResidentNotice).filter_by(kind="pickup_expiring"))
    assert notice.title == "领取码快要失效了" and "约8分钟" in notice.text
    assert "避孕" not in notice.text + notice.title
    assert warn_of_expiring_codes(now=datetime.now(UTC) + timedelta(days=1)) == 0  # expired
