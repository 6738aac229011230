"""The cabinet's signed API: redeem a code once, report the dispense once, say it is alive."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from tests.factories import male_id
from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import (
    DeviceEvent,
    Pickup,
    PointItem,
    StaffNotice,
    StaffUser,
    StockMovement,
    SupplyPoint,
    SupplyTask,
)
from wxapp.models.base import utcnow
from wxapp.services.supplies.cabinets import mark_silent_cabinets_offline
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.services.supplies.pickups import expire_overdue
from wxapp.transactions import commit


def _code_for(client, resident_headers, world, quantity=5, point="CAB-DH-01"):
    body = client.post("/api/v1/me/pickups", headers=resident_headers, json={
        "point_id": world["points"][point],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": quantity}]}).get_json()
    return body["code"], body["id"]

def _counter(world, point="CAB-DH-01", item="condom-m") -> PointItem:
    db.session.expire_all()
    return db.session.get(PointItem, (world["points"][point], world["items"][item]))

def test_redeem_then_dispense_takes_stock_through_the_ledger(client, world, resident, cabinet):
    code, pickup_id = _code_for(client, resident(), world)
    redeemed = cabinet.post("/redeem", {"code": code})
    assert redeemed.status_code == 200
    assert redeemed.get_json() == {"pickup_id": pickup_id, "items": [
        {"code": "condom-m", "name": "避孕套（中号）", "quantity": 5}]}
    result = cabinet.post("/dispense-results", {"event_id": "evt-000001", "pickup_id": pickup_id,
                                                "ok": True})
    assert result.get_json() == {"pickup_id": pickup_id, "status": "dispensed"}
    row = _counter(world)
    assert (row.on_hand, row.held) == (55, 0)
    assert db.session.scalar(select(func.sum(StockMovement.quantity)).filter_by(
        kind="dispense", pickup_id=pickup_id)) == 5
    assert ledger_problems() == []

def test_a_code_works_once_and_only_at_its_point(client, world, resident, cabinet,
                                                 other_cabinet):
    code, _ = _code_for(client, resident(), world)
    elsewhere = other_cabinet.post("/redeem", {"code": code})
    assert elsewhere.status_code == 404 and error_code(elsewhere) == "pickup.code_invalid"
    assert cabinet.post("/redeem", {"code": code}).status_code == 200
    again = cabinet.post("/redeem", {"code": code})
    assert again.status_code == 409 and error_code(again) == "pickup.code_used"
    unknown = cabinet.post("/redeem", {"code": "00000000"})
    assert unknown.status_code == 404

def test_an_expired_code_is_refused_and_releases_its_hold(client, world, resident, cabinet):
    code, pickup_id = _code_for(client, resident(), world)
    db.session.execute(update(Pickup).filter_by(id=pickup_id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    commit()
    response = cabinet.post("/redeem", {"code": code})
    assert response.status_code == 410 and error_code(response) == "pickup.code_expired"
    assert "过期" in response.get_json()["error"]["message"]
    assert expire_overdue() == 1
    commit()
    assert _counter(world).held == 0
    assert error_code(cabinet.post("/redeem", {"code": code})) == "pickup.code_expired"

def test_a_failed_dispense_gives_the_stock_back_and_raises_a_task(client, world, resident,
                                                                  cabinet):
    code, pickup_id = _code_for(client, resident(), world)
    cabinet.post("/redeem", {"code": code})
    failed = cabinet.post("/dispense-results", {"event_id": "evt-fail-01", "pickup_id": pickup_id,
                                                "ok": False, "fault": "货道卡住"})
    assert failed.get_json()["status"] == "failed"
    row = _counter(world)
    assert (row.on_hand, row.held) == (60, 0)
    task = db.session.scalars(select(SupplyTask).filter_by(kind="point_report")).one()
    assert "货道卡住" in task.detail
    assert db.session.get(SupplyPoint, world["points"]["CAB-DH-01"]).status == "fault"
    assert ledger_problems() == []

def test_a_resent_dispense_report_changes_nothing(client, world, resident, cabinet):
    code, pickup_id = _code_for(client, resident(), world)
    cabinet.post("/redeem", {"code": code})
    report = {"event_id": "evt-resent-1", "pickup_id": pickup_id, "ok": True}
    first = cabinet.post("/dispense-results", report)
    second = cabinet.post("/dispense-results", report)
    assert first.get_json() == second.get_json()
    assert _counter(world).on_hand == 55
    assert db.session.scalar(select(func.count(DeviceEvent.id))) == 1
    # Another event id for the same pickup is not a second dispense.
    other = cabinet.post("/dispense-results", dict(report, event_id="evt-resent-2"))
    assert other.status_code == 409 and error_code(other) == "pickup.not_redeemed"

def test_the_same_code_redeemed_at_once_succeeds_exactly_once(app, client, world, resident,
                                                              cabinet):
    code, _ = _code_for(client, resident(), world)
    racers = 8
    barrier = threading.Barrier(racers)
    statuses = []

    def race():
        with app.test_client() as own:
            from tests.supplies.conftest import Cabinet

            mine = Cabinet(own, cabinet.key_id, cabinet.secret)
            barrier.wait()
            statuses.append(mine.post("/redeem", {"code": code}).status_code)

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) == 1
    assert statuses.count(409) == racers - 1

def test_signature_failures(client, world, cabinet):
    payload = {"code": "12345678"}
    wrong_secret = cabinet.post("/redeem", payload, secret="not-the-secret")
    assert wrong_secret.status_code == 401 and error_code(wrong_secret) == "device.bad_signature"
    stale = cabinet.post("/redeem", payload, timestamp=int(time.time()) - 301)
    assert stale.status_code == 401 and error_code(stale) == "device.stale_timestamp"
    future = cabinet.post("/redeem", payload, timestamp=int(time.time()) + 301)
    assert error_code(future) == "device.stale_timestamp"
    missing = client.post("/device/v1/redeem", json=payload)
    assert missing.status_code == 401 and error_code(missing) == "device.missing_signature"
    from tests.supplies.conftest import Cabinet

    stranger = Cabinet(client, "no-such-key", "demo-cabinet-secret-1")
    assert error_code(stranger.post("/redeem", payload)) == "device.bad_signature"
    # A body changed on the way no longer matches its signature.
    body = b'{"code": "12345678"}'
    headers = cabinet.headers("POST", "/device/v1/redeem", body)
    tampered = client.post("/device/v1/redeem", data=b'{"code": "87654321"}', headers=headers)
    assert error_code(tampered) == "device.bad_signature"

def test_a_disabled_cabinet_is_refused(client, world, cabinet):
    db.session.execute(update(SupplyPoint).filter_by(device_key_id=cabinet.key_id)
                       .values(active=False))
    commit()
    refused = cabinet.post("/heartbeat", {"stock": [], "faults": []})
    assert refused.status_code == 401 and error_code(refused) == "device.bad_signature"


def test_a_replayed_request_is_refused(client, world, cabinet):
    body = b'{"code": "12345678"}'
    headers = cabinet.headers("POST", "/device/v1/redeem", body, nonce="replay-nonce-1")
    first = client.post("/device/v1/redeem", data=body, headers=headers)
    assert first.status_code == 404  # signed fine; the code just does not exist
    replay = client.post("/device/v1/redeem", data=body, headers=headers)
    assert replay.status_code == 401 and error_code(replay) == "device.replayed"

def test_heartbeat_records_stock_and_faults_and_silence_marks_offline(client, world, cabinet):
    alive = cabinet.post("/heartbeat", {"stock": [{"code": "condom-m", "quantity": 58}],
                                        "faults": []})
    assert alive.status_code == 200 and alive.get_json()["status"] == "online"
    assert _counter(world).reported_quantity == 58
    point_id = world["points"]["CAB-DH-01"]
    db.session.execute(update(SupplyPoint).filter_by(id=point_id).values(
        last_seen_at=utcnow() - timedelta(minutes=31)))
    commit()
    assert mark_silent_cabinets_offline() == 1
    assert mark_silent_cabinets_offline() == 0
    commit()
    assert db.session.get(SupplyPoint, point_id).status == "offline"
    tasks = db.session.scalars(select(SupplyTask).filter_by(kind="offline")).all()
    assert len(tasks) == 1 and "没有联网" in tasks[0].detail
    alerted = {n.staff_id for n in db.session.scalars(select(StaffNotice))}
    keepers = {s.id for s in db.session.scalars(select(StaffUser).where(
        StaffUser.username.in_(["demo-admin", "demo-village"])))}
    assert alerted == keepers  # the office and the village's worker, nobody else
    # Calling in again brings it back.
    cabinet.post("/heartbeat", {"stock": [], "faults": []})
    db.session.expire_all()
    assert db.session.get(SupplyPoint, point_id).status == "online"
    broken = cabinet.post("/heartbeat", {"faults": ["门锁故障"]})
    assert broken.get_json()["status"] == "fault"

def test_id_card_pickup_shares_the_quota_and_keeps_no_id_number(client, world, cabinet):
    id_number = male_id()
    first = cabinet.post("/id-card-pickups", {"id_number": id_number,
                                              "items": [{"code": "condom-m", "quantity": 10}]})
    assert first.status_code == 200
    pickup_id = first.get_json()["pickup_id"]
    cabinet.post("/dispense-results", {"event_id": "evt-card-01", "pickup_id": pickup_id,
                                       "ok": True})
    again = cabinet.post("/id-card-pickups", {"id_number": id_number,
                                              "items": [{"code": "condom-m", "quantity": 1}]})
    assert again.status_code == 409 and error_code(again) == "pickup.too_soon"
    pickup = db.session.get(Pickup, pickup_id)
    assert id_number not in pickup.holder_key and pickup.resident_id is None
    # Nothing anywhere in the database holds the number itself.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            assert id_number not in " ".join(str(v) for v in row)
    bad = cabinet.post("/id-card-pickups", {"id_number": "123456789012345678",
                                            "items": [{"code": "condom-m", "quantity": 1}]})
    assert bad.status_code == 422
    assert ledger_problems() == []

def _at_once(app, count, action):
    """Run `action(test_client)` from `count` threads released together; returns results."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        with app.test_client() as own:
            barrier.wait()
            results.append(action(own))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results

def test_the_same_dispense_report_sent_twice_at_once_dispenses_once(app, client, world,
                                                                    resident, cabinet):
    from tests.supplies.conftest import Cabinet

    code, pickup_id = _code_for(client, resident(), world)
    cabinet.post("/redeem", {"code": code})
    report = {"event_id": "evt-twice-at-once", "pickup_id": pickup_id, "ok": True}
    answers = _at_once(app, 4, lambda own: Cabinet(own, cabinet.key_id, cabinet.secret)
                       .post("/dispense-results", report))
    assert {a.status_code for a in answers} == {200}
    assert {a.get_json()["status"] for a in answers} == {"dispensed"}
    assert _counter(world).on_hand == 55
    assert ledger_problems() == []

def test_residents_racing_for_the_last_stock_never_hold_more_than_there_is(app, client, world,
                                                                          resident):

    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    db.session.execute(update(PointItem).filter_by(point_id=cab, item_id=condom)
                       .values(low_threshold=0))
    commit()
    racers = [resident(f"racer-{n}") for n in range(8)]  # 8 × 10 wanted, 60 on hand
    tokens = iter(racers)
    lock = threading.Lock()

    def ask(own):
        with lock:
            headers = next(tokens)
        return own.post("/api/v1/me/pickups", headers=headers, json={
            "point_id": cab, "items": [{"item_id": condom, "quantity": 10}]})

    answers = _at_once(app, len(racers), ask)
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 6 and statuses.count(409) == 2
    assert {a.get_json()["error"]["code"] for a in answers if a.status_code == 409} == \
        {"pickup.out_of_stock"}
    row = _counter(world)
    assert row.held == 60 and row.held <= row.on_hand
    assert ledger_problems() == []
