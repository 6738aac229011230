"""The daily supplies work: a discreet follow-up question after a pickup, and near-expiry
batches flagged for staff. Both can run twice without doing anything twice."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from tests.helpers import allow_messages, drain_jobs
from wxapp.extensions import db
from wxapp.models import Pickup, SupplyTask
from wxapp.models.base import utcnow
from wxapp.services.supplies.feedback import ask_follow_up_questions
from wxapp.services.supplies.ledger import flag_near_expiry
from wxapp.transactions import commit

TEMPLATE = "TPL_PICKUP_FOLLOW_UP"


def test_follow_up_question_is_sent_once_and_says_nothing_revealing(client, world, resident,
                                                                     cabinet, sim):
    me = resident("asked")
    openid = allow_messages(client, sim, me, "asked", TEMPLATE)
    body = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": world["points"]["CAB-DH-01"],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": 2}]}).get_json()
    cabinet.post("/redeem", {"code": body["code"]})
    cabinet.post("/dispense-results", {"event_id": "evt-daily-01", "pickup_id": body["id"],
                                       "ok": True})
    assert ask_follow_up_questions() == 0  # too early: a week after the pickup
    db.session.execute(update(Pickup).filter_by(id=body["id"])
                       .values(finished_at=utcnow() - timedelta(days=8)))
    commit()
    assert ask_follow_up_questions() == 1
    commit()
    assert ask_follow_up_questions() == 0
    commit()
    drain_jobs()
    [sent] = sim.outbox(touser=openid)["messages"]
    text = " ".join(v["value"] for v in sent["payload"]["data"].values())
    assert "避孕" not in text and "药具" not in text
    assert sent["payload"]["page"].endswith(f"id={body['id']}")


def test_near_expiry_batches_become_one_task_each(client, world, staff_headers):
    admin = staff_headers()
    gel = world["items"]["gel-nonoxynol"]
    soon = (date.today() + timedelta(days=30)).isoformat()
    client.post("/api/v1/staff/supplies/receipts", headers=admin, json={
        "item_id": gel, "batch_no": "SOON-9", "expires_on": soon, "quantity": 20})
    assert flag_near_expiry() == 1
    assert flag_near_expiry() == 1  # still near expiry, still one open task
    commit()
    tasks = db.session.scalars(select(SupplyTask).filter_by(kind="near_expiry")).all()
    assert len(tasks) == 1 and "SOON-9" in tasks[0].detail
    stock = client.get(f"/api/v1/staff/supplies/points/{world['points']['STORE-001']}/stock",
                       headers=admin).get_json()
    gel_batches = next(i for i in stock["items"] if i["item_id"] == gel)["batches"]
    assert [b["near_expiry"] for b in gel_batches] == [True, False]
