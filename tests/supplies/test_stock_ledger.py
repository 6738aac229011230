"""The stock ledger: every movement is a row, stock always equals their sum, nearest expiry
leaves first, and staff see only their own township or village."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.helpers import chart_series, error_code
from wxapp.extensions import db
from wxapp.models import AuditLog, PointItem, StockLevel, StockMovement, SupplyTask
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.transactions import commit

API = "/api/v1/staff/supplies"


def _stock(client, headers, point_id, item_id):
    items = client.get(f"{API}/points/{point_id}/stock", headers=headers).get_json()["items"]
    return next(i for i in items if i["item_id"] == item_id)


def _receive(client, admin, item_id, batch, expires, quantity, key=None):
    headers = dict(admin, **({"Idempotency-Key": key} if key else {}))
    return client.post(f"{API}/receipts", headers=headers, json={
        "item_id": item_id, "batch_no": batch, "expires_on": expires, "quantity": quantity})


def test_receipt_and_issue_go_nearest_expiry_first(client, world, staff_headers):
    admin = staff_headers()
    gel, cab, store = (world["items"]["gel-nonoxynol"], world["points"]["CAB-DH-01"],
                       world["points"]["STORE-001"])
    assert _receive(client, admin, gel, "LATE-01", "2030-01-31", 100).status_code == 201
    assert _receive(client, admin, gel, "SOON-01", "2027-03-31", 30).status_code == 201
    before = _stock(client, admin, cab, gel)["on_hand"]
    issued = client.post(f"{API}/issues", headers=admin,
                         json={"point_id": cab, "item_id": gel, "quantity": 40})
    assert issued.status_code == 201
    soon_first = [m["quantity"] for m in issued.get_json()["moved"]]
    # The demo batch expires 2028-06; SOON-01 (2027-03) goes first, then the demo batch.
    batches = {b["batch_no"]: b for b in _stock(client, admin, store, gel)["batches"]}
    assert "SOON-01" not in batches and soon_first[0] == 30
    assert batches["LATE-01"]["quantity"] == 100
    assert _stock(client, admin, cab, gel)["on_hand"] == before + 40
    assert ledger_problems() == []


def test_same_batch_number_with_another_expiry_is_refused(client, world, staff_headers):
    admin = staff_headers()
    gel = world["items"]["gel-nonoxynol"]
    _receive(client, admin, gel, "B-1", "2029-01-31", 10)
    clash = _receive(client, admin, gel, "B-1", "2029-02-28", 10)
    assert clash.status_code == 422 and error_code(clash) == "supplies.batch_expiry_mismatch"


def test_retried_receipt_is_recorded_once(client, world, staff_headers):
    admin = staff_headers()
    gel = world["items"]["gel-nonoxynol"]
    def count():
        return len(db.session.scalars(select(StockMovement).filter_by(kind="receipt")).all())
    before = count()
    _receive(client, admin, gel, "R-1", "2029-01-31", 10, key="receipt-once-001")
    _receive(client, admin, gel, "R-1", "2029-01-31", 10, key="receipt-once-001")
    assert count() == before + 1


def test_transfer_loss_and_stock_take_keep_the_books_balanced(client, world, staff_headers):
    admin = staff_headers()
    film, a, b = (world["items"]["film-nonoxynol"], world["points"]["CAB-DH-01"],
                  world["points"]["CAB-XL-01"])
    moved = client.post(f"{API}/transfers", headers=admin, json={
        "from_point_id": a, "to_point_id": b, "item_id": film, "quantity": 15})
    assert moved.status_code == 201
    assert _stock(client, admin, a, film)["on_hand"] == 45
    assert _stock(client, admin, b, film)["on_hand"] == 75
    batch_id = _stock(client, admin, a, film)["batches"][0]["batch_id"]
    lost = client.post(f"{API}/losses", headers=admin, json={
        "point_id": a, "batch_id": batch_id, "quantity": 5, "reason": "受潮破损"})
    assert lost.status_code == 201
    down = client.post(f"{API}/stock-takes", headers=admin, json={
        "point_id": a, "batch_id": batch_id, "counted": 37, "reason": "月末盘点"})
    assert down.get_json() == {"difference": -3}
    up = client.post(f"{API}/stock-takes", headers=admin, json={
        "point_id": a, "batch_id": batch_id, "counted": 38, "reason": "月末盘点复核"})
    assert up.get_json() == {"difference": 1}
    assert _stock(client, admin, a, film)["on_hand"] == 38
    kinds = {m.kind for m in db.session.scalars(select(StockMovement))}
    assert {"receipt", "issue", "transfer", "loss", "adjustment"} <= kinds
    assert ledger_problems() == []


def test_too_much_or_held_stock_cannot_leave_and_nothing_is_half_saved(client, world,
                                                                       staff_headers):
    admin = staff_headers()
    condom, a, b = (world["items"]["condom-m"], world["points"]["CAB-DH-01"],
                    world["points"]["CAB-XL-01"])
    db.session.execute(update(PointItem).filter_by(point_id=a, item_id=condom).values(held=50))
    commit()
    rows_before = len(db.session.scalars(select(StockMovement)).all())
    refused = client.post(f"{API}/transfers", headers=admin, json={
        "from_point_id": a, "to_point_id": b, "item_id": condom, "quantity": 11})
    assert refused.status_code == 409 and error_code(refused) == "supplies.insufficient_stock"
    assert len(db.session.scalars(select(StockMovement)).all()) == rows_before
    assert _stock(client, admin, a, condom)["on_hand"] == 60
    no_reason = client.post(f"{API}/losses", headers=admin, json={
        "point_id": a, "batch_id": 1, "quantity": 1, "reason": ""})
    assert no_reason.status_code == 422
    negative = client.post(f"{API}/issues", headers=admin, json={
        "point_id": a, "item_id": condom, "quantity": -5})
    assert negative.status_code == 422


def test_low_stock_raises_one_restock_task(client, world, staff_headers):
    admin = staff_headers()
    condom, a = world["items"]["condom-m"], world["points"]["CAB-DH-01"]
    response = client.put(f"{API}/points/{a}/items/{condom}/threshold", headers=admin,
                          json={"low_threshold": 60})
    assert response.status_code == 200
    client.put(f"{API}/points/{a}/items/{condom}/threshold", headers=admin,
               json={"low_threshold": 61})
    tasks = client.get(f"{API}/tasks", headers=admin, query_string={"kind": "restock"}).get_json()
    assert len(tasks) == 1 and "请补货" in tasks[0]["detail"]
    done = client.post(f"{API}/tasks/{tasks[0]['id']}/done", headers=admin)
    assert done.get_json()["status"] == "done"
    again = client.post(f"{API}/tasks/{tasks[0]['id']}/done", headers=admin)
    assert again.status_code == 409


def test_village_worker_sees_only_her_village(client, world, staff_headers):
    mine, theirs = world["points"]["CAB-DH-01"], world["points"]["CAB-XL-01"]
    worker = staff_headers("demo-village")
    names = [p["name"] for p in client.get(f"{API}/points", headers=worker).get_json()]
    assert names == ["东湖村卫生室自助发放机"]
    assert client.get(f"{API}/points/{theirs}/stock", headers=worker).status_code == 404
    assert client.get(f"{API}/points/{mine}/stock", headers=worker).status_code == 200
    # She restocks her own cabinet from the township store, but cannot reach the store itself.
    issued = client.post(f"{API}/issues", headers=worker, json={
        "point_id": mine, "item_id": world["items"]["condom-m"], "quantity": 10})
    assert issued.status_code == 201
    store = world["points"]["STORE-001"]
    assert client.get(f"{API}/points/{store}/stock", headers=worker).status_code == 404
    receipt = _receive(client, worker, world["items"]["condom-m"], "X", "2029-01-01", 5)
    assert receipt.status_code == 403


def test_pickup_records_are_for_that_villages_staff_and_every_read_is_audited(
        client, world, staff_headers, resident, other_village_worker):
    me = resident()
    cab = world["points"]["CAB-DH-01"]
    client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": cab, "items": [{"item_id": world["items"]["condom-m"], "quantity": 2}]})
    assert client.get(f"{API}/points/{cab}/pickups",
                      headers=other_village_worker).status_code == 404
    worker = staff_headers("demo-village")
    seen = client.get(f"{API}/points/{cab}/pickups", headers=worker).get_json()
    assert len(seen) == 1 and seen[0]["items"] == [{"item": "避孕套（中号）", "quantity": 2}]
    assert "code" not in seen[0]
    audits = db.session.scalars(select(AuditLog).filter_by(action="supplies.pickups_read")).all()
    assert len(audits) == 1
    clinic = staff_headers("demo-clinic")
    assert client.get(f"{API}/points/{cab}/pickups", headers=clinic).status_code == 403
    # The township office keeps the books but does not follow village residents up.
    assert client.get(f"{API}/points/{cab}/pickups", headers=staff_headers()).status_code == 404
    counter = world["points"]["CNT-WSY-01"]
    assert client.get(f"{API}/points/{counter}/pickups", headers=staff_headers()).status_code == 200


def test_monthly_distribution_report(client, world, staff_headers, resident, cabinet):
    from datetime import datetime, timedelta, timezone

    me = resident()
    cab = world["points"]["CAB-DH-01"]
    body = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": cab, "items": [{"item_id": world["items"]["condom-m"], "quantity": 6}]}
    ).get_json()
    cabinet.post("/redeem", {"code": body["code"]})
    cabinet.post("/dispense-results", {"event_id": "evt-report-1", "pickup_id": body["id"],
                                       "ok": True})
    month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    admin = staff_headers()
    rows = client.get(f"{API}/report", headers=admin, query_string={"month": month}).get_json()
    row = next(r for r in rows if r["发放点"] == "东湖村卫生室自助发放机"
               and r["药具"] == "避孕套（中号）")
    counted = (row["发放数量"], row["发放人次"], row["补货数量"], row["村/社区"])
    assert counted == (6, 1, 60, "东湖村")
    csv = client.get(f"{API}/report", headers=admin, query_string={"month": month,
                                                                   "format": "csv"})
    assert csv.data.decode("utf-8-sig").startswith("村/社区,发放点,药具")
    xlsx = client.get(f"{API}/report", headers=admin, query_string={"month": month,
                                                                    "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert workbook.active.cell(1, 5).value == "发放数量"
    per_item = workbook["按药具汇总"]
    totals = {r[0]: r[1:] for r in per_item.iter_rows(min_row=2, values_only=True)}
    assert totals["避孕套（中号）"] == ("只", 6, 1)
    last = per_item.max_row
    assert chart_series(per_item) == [("BarChart", "D1", f"$D$2:$D${last}")]
    bad = client.get(f"{API}/report", headers=admin, query_string={"month": "2026-13"})
    assert bad.status_code == 422
    assert db.session.scalars(select(StockLevel)).first() is not None
    assert not db.session.scalars(select(SupplyTask).filter_by(kind="restock")).all()
