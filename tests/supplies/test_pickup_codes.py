"""A resident asks for a pickup code: stock is held, quotas are fair, nobody else sees it."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import Pickup, PointItem, SupplyPoint
from wxapp.models.base import utcnow
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.services.supplies.pickups import expire_overdue
from wxapp.transactions import commit

NEAR_EAST_LAKE = {"latitude": 31.963, "longitude": 118.813}


def _ask(client, headers, point_id, items, key=None):
    if key:
        headers = dict(headers, **{"Idempotency-Key": key})
    return client.post("/api/v1/me/pickups", headers=headers, json={
        "point_id": point_id, "items": [{"item_id": i, "quantity": q} for i, q in items]})


def _point_item(point_id, item_id) -> PointItem:
    db.session.expire_all()
    return db.session.get(PointItem, (point_id, item_id))


def test_nearby_points_come_nearest_first_with_availability(client, world, resident):
    me = resident()
    response = client.get("/api/v1/supply-points", headers=me, query_string=NEAR_EAST_LAKE)
    points = response.get_json()
    assert response.status_code == 200
    assert next(p["name"] for p in points) == "东湖村卫生室自助发放机"
    assert all(a["distance_m"] <= b["distance_m"] for a, b in itertools.pairwise(points))
    assert "示范镇药具库房" not in [p["name"] for p in points]
    cabinet = points[0]
    assert {i["availability"] for i in cabinet["items"]} == {"available"}
    # Pills need a doctor's guidance first: a cabinet does not offer them, the counter does.
    assert "pill-combined" not in [i["item_code"] for i in cabinet["items"]]
    counter = next(p for p in points if p["kind"] == "counter")
    assert "pill-combined" in [i["item_code"] for i in counter["items"]]


def test_nearby_shows_low_and_out_of_stock(client, world, resident):
    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    db.session.execute(update(PointItem).filter_by(point_id=cab, item_id=condom)
                       .values(held=56))
    db.session.execute(update(PointItem).filter_by(point_id=cab, item_id=world["items"]["condom-l"])
                       .values(held=60))
    commit()
    items = {i["item_code"]: i["availability"] for i in client.get(
        "/api/v1/supply-points", headers=resident(), query_string=NEAR_EAST_LAKE
    ).get_json()[0]["items"]}
    assert items["condom-m"] == "low" and items["condom-l"] == "out"
    assert items["condom-s"] == "available"


def test_code_holds_stock_until_cancelled(client, world, resident):
    me = resident()
    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    response = _ask(client, me, cab, [(condom, 10)])
    body = response.get_json()
    assert response.status_code == 201
    assert len(body["code"]) == 8 and body["code"].isdigit()
    assert body["qr_payload"].endswith(body["code"])
    # The code says nothing about what was chosen or who asked.
    assert "condom" not in body["qr_payload"].lower()
    assert _point_item(cab, condom).held == 10
    cancelled = client.post(f"/api/v1/me/pickups/{body['id']}/cancel", headers=me)
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["code"] is None
    assert _point_item(cab, condom).held == 0
    again = client.post(f"/api/v1/me/pickups/{body['id']}/cancel", headers=me)
    assert again.status_code == 200 and again.get_json()["status"] == "cancelled"
    assert _point_item(cab, condom).held == 0  # released once, not twice
    assert ledger_problems() == []


def test_an_expired_code_gives_its_stock_back(client, world, resident):
    me = resident()
    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    pickup_id = _ask(client, me, cab, [(condom, 4)]).get_json()["id"]
    db.session.execute(update(Pickup).filter_by(id=pickup_id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    commit()
    assert expire_overdue() == 1
    assert expire_overdue() == 0  # the sweep running twice releases nothing twice
    commit()
    assert _point_item(cab, condom).held == 0
    assert client.get(f"/api/v1/me/pickups/{pickup_id}", headers=me).get_json()["status"] == \
        "expired"
    assert ledger_problems() == []


def test_one_unused_code_at_a_time(client, world, resident):
    me = resident()
    cab = world["points"]["CAB-DH-01"]
    assert _ask(client, me, cab, [(world["items"]["condom-m"], 2)]).status_code == 201
    second = _ask(client, me, cab, [(world["items"]["gel-nonoxynol"], 1)])
    assert second.status_code == 409 and error_code(second) == "pickup.already_holding"
    assert _point_item(cab, world["items"]["gel-nonoxynol"]).held == 0


def test_fair_use_per_pickup_and_interval(client, world, resident):
    me = resident()
    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    too_many = _ask(client, me, cab, [(condom, 11)])
    assert too_many.status_code == 422 and error_code(too_many) == "pickup.over_per_pickup_limit"
    assert "每次最多领取10只" in too_many.get_json()["error"]["message"]
    assert _point_item(cab, condom).held == 0
    first = _ask(client, me, cab, [(condom, 10)]).get_json()
    client.post(f"/api/v1/me/pickups/{first['id']}/cancel", headers=me)
    # A cancelled code does not count: asking again at once is fine.
    second = _ask(client, me, cab, [(condom, 10)]).get_json()
    db.session.execute(update(Pickup).filter_by(id=second["id"]).values(status="dispensed"))
    db.session.execute(update(PointItem).filter_by(point_id=cab, item_id=condom).values(held=0))
    commit()
    soon = _ask(client, me, cab, [(condom, 1)])
    assert soon.status_code == 409 and error_code(soon) == "pickup.too_soon"
    assert "每22天可以领取一次" in soon.get_json()["error"]["message"]
    assert soon.get_json()["error"]["details"]["next_pickup_on"]


def test_yearly_limit_says_how_many_are_left(client, world, resident):
    from datetime import datetime

    import pytest

    from wxapp.errors import Conflict
    from wxapp.models import SupplyItem
    from wxapp.services.supplies.pickups import CHINA, check_quota

    me = resident()
    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    # Eleven pickups of ten in 2026, a month apart; one in December 2025 does not count.
    for month in [0, *list(range(1, 12))]:
        pickup_id = _ask(client, me, cab, [(condom, 10)]).get_json()["id"]
        when = datetime(2025, 12, 5, tzinfo=CHINA) if month == 0 else \
            datetime(2026, month, 3, tzinfo=CHINA)
        db.session.execute(update(Pickup).filter_by(id=pickup_id).values(
            status="dispensed", created_at=when))
        db.session.execute(update(PointItem).filter_by(point_id=cab, item_id=condom)
                           .values(held=0))
        commit()
    holder = db.session.scalars(select(Pickup.holder_key)).first()
    item = db.session.get(SupplyItem, condom)
    december = datetime(2026, 12, 20, tzinfo=CHINA)
    check_quota(holder, item, 10, now=december)  # 110 this year + 10 = 120: allowed
    # Move last December's pickup into this year: now the year is used up.
    db.session.execute(update(Pickup).where(Pickup.created_at < datetime(
        2026, 1, 1, tzinfo=CHINA)).values(created_at=datetime(2026, 1, 20, tzinfo=CHINA)))
    with pytest.raises(Conflict) as refused:
        check_quota(holder, item, 1, now=december)
    assert refused.value.code == "pickup.yearly_limit"
    assert refused.value.details["left_this_year"] == 0
    assert refused.value.details["next_pickup_on"] == "2027-01-01"
    assert "2027年1月1日以后可以再领取" in refused.value.message


def test_offline_point_and_unknown_point_and_items(client, world, resident):
    me = resident()
    cab = world["points"]["CAB-DH-01"]
    db.session.execute(update(SupplyPoint).filter_by(id=cab).values(status="offline"))
    commit()
    offline = _ask(client, me, cab, [(world["items"]["condom-m"], 1)])
    assert offline.status_code == 409 and error_code(offline) == "pickup.point_unavailable"
    store = _ask(client, me, world["points"]["STORE-001"], [(world["items"]["condom-m"], 1)])
    assert store.status_code == 404
    counter = world["points"]["CNT-WSY-01"]
    unknown = _ask(client, me, counter, [(999999, 1)])
    assert unknown.status_code == 404 and error_code(unknown) == "pickup.item_not_found"
    doubled = _ask(client, me, counter, [(world["items"]["condom-m"], 1),
                                         (world["items"]["condom-m"], 1)])
    assert error_code(doubled) == "pickup.duplicate_items"
    empty = client.post("/api/v1/me/pickups", headers=me, json={"point_id": counter, "items": []})
    assert empty.status_code == 422


def test_out_of_stock_holds_nothing(client, world, resident):
    me = resident()
    cab = world["points"]["CAB-DH-01"]
    condom, gel = world["items"]["condom-m"], world["items"]["gel-nonoxynol"]
    db.session.execute(update(PointItem).filter_by(point_id=cab, item_id=gel).values(held=58))
    commit()
    response = _ask(client, me, cab, [(condom, 5), (gel, 3)])
    assert response.status_code == 409 and error_code(response) == "pickup.out_of_stock"
    assert "库存不足" in response.get_json()["error"]["message"]
    assert _point_item(cab, condom).held == 0  # the first line's hold was rolled back too
    assert db.session.scalars(select(Pickup)).first() is None


def test_retry_with_the_same_key_gets_the_same_code(client, world, resident):
    me = resident()
    cab, condom = world["points"]["CAB-DH-01"], world["items"]["condom-m"]
    a = _ask(client, me, cab, [(condom, 3)], key="pickup-retry-001")
    b = _ask(client, me, cab, [(condom, 3)], key="pickup-retry-001")
    assert a.status_code == b.status_code == 201
    assert a.get_json()["code"] == b.get_json()["code"]
    assert _point_item(cab, condom).held == 3


def test_another_resident_cannot_see_or_cancel_my_pickup(client, world, resident):
    me, stranger = resident("owner"), resident("stranger")
    pickup_id = _ask(client, me, world["points"]["CAB-DH-01"],
                     [(world["items"]["condom-m"], 2)]).get_json()["id"]
    assert client.get(f"/api/v1/me/pickups/{pickup_id}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/me/pickups/{pickup_id}/cancel",
                       headers=stranger).status_code == 404
    assert client.get("/api/v1/me/pickups", headers=stranger).get_json() == []
    assert len(client.get("/api/v1/me/pickups", headers=me).get_json()) == 1


def test_nearby_needs_a_location(client, world, resident):
    response = client.get("/api/v1/supply-points", headers=resident(),
                          query_string={"latitude": 200, "longitude": 118})
    assert response.status_code == 422
    far_away = client.get("/api/v1/supply-points", headers=resident(),
                          query_string={"latitude": 45.75, "longitude": 126.63})
    assert far_away.status_code == 200 and far_away.get_json() == []


def test_a_resident_who_keeps_her_location_lists_her_villages_points(client, world, resident):
    from wxapp.models import Village

    me = resident()
    east_lake = db.session.scalars(select(Village).filter_by(name="东湖村")).one().id
    points = client.get("/api/v1/supply-points", headers=me,
                        query_string={"village_id": east_lake}).get_json()
    expected = {p.name for p in db.session.scalars(select(SupplyPoint).where(
        SupplyPoint.village_id == east_lake, SupplyPoint.active.is_(True),
        SupplyPoint.kind != "store"))}
    assert expected and {p["name"] for p in points} == expected
    assert all(p["village_id"] == east_lake and p["distance_m"] is None for p in points)
    assert all(p["items"] for p in points)


@pytest.mark.parametrize("query", [{}, {"latitude": 31.9}, {"latitude": 31.9, "longitude": 118.8,
                                                            "village_id": 1}])
def test_points_need_a_location_or_a_village_not_both(client, world, resident, query):
    response = client.get("/api/v1/supply-points", headers=resident(), query_string=query)
    assert response.status_code == 422
    assert error_code(response) == "request.validation_failed"


def test_the_office_sets_quotas_and_they_apply_at_once(client, world, resident, staff_headers):
    condom, cab = world["items"]["condom-m"], world["points"]["CAB-DH-01"]
    admin = staff_headers()
    changed = client.put(f"/api/v1/staff/supplies/items/{condom}", headers=admin,
                         json={"per_pickup_limit": 5})
    assert changed.status_code == 200 and changed.get_json()["per_pickup_limit"] == 5
    over = _ask(client, resident(), cab, [(condom, 6)])
    assert error_code(over) == "pickup.over_per_pickup_limit"
    assert "每次最多领取5只" in over.get_json()["error"]["message"]
    worker = staff_headers("demo-village")
    assert client.put(f"/api/v1/staff/supplies/items/{condom}", headers=worker,
                      json={"per_pickup_limit": 50}).status_code == 403
    assert client.put(f"/api/v1/staff/supplies/items/{condom}", headers=admin,
                      json={"per_pickup_limit": 0}).status_code == 422
    codes = [i["code"] for i in client.get("/api/v1/staff/supplies/items",
                                           headers=worker).get_json()]
    assert "pill-combined" in codes
