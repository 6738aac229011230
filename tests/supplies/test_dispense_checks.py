"""A cabinet that redeemed a code and never reported: staff are asked, and their answer
settles the stock through the ledger, once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.helpers import allow_messages, drain_jobs, error_code
from tests.supplies.test_cabinet_api import _code_for, _counter
from wxapp.extensions import db
from wxapp.models import AuditLog, Pickup, StaffNotice, StaffUser, StockMovement, SupplyTask
from wxapp.models.base import utcnow
from wxapp.services.supplies.dispense_checks import flag_unreported
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.transactions import commit

API = "/api/v1/staff/supplies"
TEMPLATE = "TPL_PICKUP_FOLLOW_UP"
LATER = timedelta(minutes=11)


def _redeemed_and_silent(client, world, resident, cabinet) -> int:
    code, pickup_id = _code_for(client, resident(), world)
    assert cabinet.post("/redeem", {"code": code}).status_code == 200
    return pickup_id


def _flagged(now_offset=LATER) -> list[SupplyTask]:
    flag_unreported(utcnow() + now_offset)
    commit()
    return db.session.scalars(select(SupplyTask).filter_by(kind="dispense_check")).all()


def test_a_silent_dispense_becomes_one_task_after_the_wait(client, world, resident, cabinet):
    pickup_id = _redeemed_and_silent(client, world, resident, cabinet)
    assert flag_unreported(utcnow() + timedelta(minutes=5)) == 0
    tasks = _flagged()
    assert [(t.pickup_id, t.status) for t in tasks] == [(pickup_id, "open")]
    assert "确认" in tasks[0].detail
    assert flag_unreported(utcnow() + LATER) == 0  # the next minute's sweep adds nothing
    assert len(_flagged()) == 1
    # Meanwhile the stock is held: neither on the shelf nor given out.
    assert (_counter(world).on_hand, _counter(world).held) == (60, 5)
    # Its village worker and the office hear at once, once, with nothing about the resident.
    notices = db.session.execute(select(StaffUser.username, StaffNotice.text).join(
        StaffNotice, StaffNotice.staff_id == StaffUser.id).where(
        StaffNotice.kind.like("dispense_check:%"))).all()
    assert sorted(name for name, _ in notices) == ["demo-admin", "demo-village"]
    assert all("东湖村卫生室自助发放机" in text for _, text in notices)


def test_staff_say_it_came_out_and_the_ledger_records_the_dispense(client, world, resident,
                                                                  cabinet, staff_headers):
    pickup_id = _redeemed_and_silent(client, world, resident, cabinet)
    task = _flagged()[0]
    worker = staff_headers("demo-village")
    answered = client.post(f"{API}/tasks/{task.id}/dispense-check", headers=worker,
                           json={"dispensed": True})
    assert answered.status_code == 200
    assert answered.get_json() == {"task_id": task.id, "pickup_id": pickup_id,
                                   "pickup_status": "dispensed", "settled_by": "staff"}
    assert (_counter(world).on_hand, _counter(world).held) == (55, 0)
    assert ledger_problems() == []
    # The same tap again changes nothing.
    again = client.post(f"{API}/tasks/{task.id}/dispense-check", headers=worker,
                        json={"dispensed": True})
    assert again.status_code == 409 and error_code(again) == "supplies.task_closed"
    assert db.session.scalar(select(func.count()).select_from(StockMovement).filter_by(
        kind="dispense", pickup_id=pickup_id)) == 1
    assert db.session.scalars(select(AuditLog).filter_by(
        action="supplies.dispense_checked")).one().target_id == str(pickup_id)


def test_staff_say_nothing_came_out_and_the_stock_goes_back(client, world, resident, cabinet,
                                                           staff_headers):
    pickup_id = _redeemed_and_silent(client, world, resident, cabinet)
    task = _flagged()[0]
    answered = client.post(f"{API}/tasks/{task.id}/dispense-check", headers=staff_headers(),
                           json={"dispensed": False})
    assert answered.get_json()["pickup_status"] == "failed"
    assert (_counter(world).on_hand, _counter(world).held) == (60, 0)
    assert db.session.get(Pickup, pickup_id).status == "failed"
    assert ledger_problems() == []


def test_she_hears_her_quota_is_back_when_nothing_came_out(client, world, resident, cabinet,
                                                            staff_headers, sim):
    me = resident("wang")
    openid = allow_messages(client, sim, me, "wang", TEMPLATE, times=2)
    code, pickup_id = _code_for(client, me, world)
    cabinet.post("/redeem", {"code": code})
    task = _flagged()[0]
    worker = staff_headers("demo-village")
    assert client.post(f"{API}/tasks/{task.id}/dispense-check", headers=worker,
                       json={"dispensed": False}).status_code == 200
    again = client.post(f"{API}/tasks/{task.id}/dispense-check", headers=worker,
                        json={"dispensed": False})
    assert again.status_code == 409
    drain_jobs()
    [sent] = sim.outbox(touser=openid)["messages"]
    text = " ".join(v["value"] for v in sent["payload"]["data"].values())
    assert "名额已退回" in text
    assert "避孕" not in text and "药具" not in text and "套" not in text
    # What the message says is true: she can ask for a new code at once.
    _, new_pickup_id = _code_for(client, me, world)
    assert new_pickup_id not in (None, pickup_id)


def test_no_message_when_it_came_out_or_the_cabinet_answered(client, world, resident, cabinet,
                                                             staff_headers, sim):
    came_out, cabinet_said = resident("zhao"), resident("qian")
    openids = [allow_messages(client, sim, me, user, TEMPLATE)
               for me, user in ((came_out, "zhao"), (cabinet_said, "qian"))]
    code, _ = _code_for(client, came_out, world, quantity=1)
    cabinet.post("/redeem", {"code": code})
    code, late_pickup = _code_for(client, cabinet_said, world, quantity=1)
    cabinet.post("/redeem", {"code": code})
    first, second = _flagged()
    client.post(f"{API}/tasks/{first.id}/dispense-check", headers=staff_headers(),
                json={"dispensed": True})
    cabinet.post("/dispense-results", {"event_id": "evt-late-02", "pickup_id": late_pickup,
                                       "ok": False})
    answered = client.post(f"{API}/tasks/{second.id}/dispense-check", headers=staff_headers(),
                           json={"dispensed": False})
    assert answered.get_json()["settled_by"] == "cabinet"
    drain_jobs()
    assert [sim.outbox(touser=openid)["messages"] for openid in openids] == [[], []]


def test_a_late_report_from_the_cabinet_wins_and_staff_only_close_the_task(
        client, world, resident, cabinet, staff_headers):
    pickup_id = _redeemed_and_silent(client, world, resident, cabinet)
    task = _flagged()[0]
    late = cabinet.post("/dispense-results", {"event_id": "evt-late-01", "pickup_id": pickup_id,
                                              "ok": True})
    assert late.get_json()["status"] == "dispensed"
    answered = client.post(f"{API}/tasks/{task.id}/dispense-check", headers=staff_headers(),
                           json={"dispensed": False})
    assert answered.get_json()["settled_by"] == "cabinet"
    assert answered.get_json()["pickup_status"] == "dispensed"
    assert (_counter(world).on_hand, _counter(world).held) == (55, 0)
    assert ledger_problems() == []


def test_the_task_cannot_be_closed_without_the_answer_or_with_a_bad_one(
        client, world, resident, cabinet, staff_headers):
    _redeemed_and_silent(client, world, resident, cabinet)
    task = _flagged()[0]
    admin = staff_headers()
    closed = client.post(f"{API}/tasks/{task.id}/done", headers=admin)
    assert closed.status_code == 409 and error_code(closed) == "supplies.task_needs_answer"
    for body in ({}, {"dispensed": "也许"}, {"dispensed": True, "extra": 1}):
        bad = client.post(f"{API}/tasks/{task.id}/dispense-check", headers=admin, json=body)
        assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(SupplyTask, task.id).status == "open"
    assert _counter(world).held == 5


def test_staff_of_another_village_do_not_see_the_task(client, world, resident, cabinet,
                                                      staff_headers, other_village_worker):
    _redeemed_and_silent(client, world, resident, cabinet)
    task = _flagged()[0]
    other = client.post(f"{API}/tasks/{task.id}/dispense-check",
                        headers=other_village_worker, json={"dispensed": True})
    assert other.status_code == 404
    clinic = client.post(f"{API}/tasks/{task.id}/dispense-check",
                         headers=staff_headers("demo-clinic"), json={"dispensed": True})
    assert clinic.status_code == 403
    assert _counter(world).held == 5


def test_the_every_minute_job_asks_staff(app, client, world, resident, cabinet):
    pickup_id = _redeemed_and_silent(client, world, resident, cabinet)
    db.session.execute(update(Pickup).filter_by(id=pickup_id)
                       .values(redeemed_at=utcnow() - LATER))
    commit()
    result = app.test_cli_runner().invoke(args=["jobs", "frequent"])
    assert result.exit_code == 0, result.output
    assert "dispenses to check: 1" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(SupplyTask).filter_by(kind="dispense_check")).one(
    ).pickup_id == pickup_id
