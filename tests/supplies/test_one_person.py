"""One person is one quota holder, whichever way she comes: the mini-program once her profile
knows her ID number (she filed a birth registration), her ID card at any cabinet, a doctor's
guidance recorded by her ID number. Told only through the service's own interfaces: nobody
here computes a key the way the code does."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.factories import female_id
from tests.helpers import error_code
from tests.supplies.conftest import Cabinet
from wxapp.extensions import db
from wxapp.models import Pickup
from wxapp.services.supplies.ledger import ledger_problems

HER_ID = female_id("19960718")


def _app_code(client, headers, world, item="condom-m", quantity=5, point="CAB-DH-01"):
    return client.post("/api/v1/me/pickups", headers=headers, json={
        "point_id": world["points"][point],
        "items": [{"item_id": world["items"][item], "quantity": quantity}]})


def _id_card(cabinet, id_number=HER_ID, item="condom-m", quantity=1):
    return cabinet.post("/id-card-pickups", {"id_number": id_number,
                                             "items": [{"code": item, "quantity": quantity}]})


def test_app_pickup_after_registration_counts_against_her_id_card(client, world, registered,
                                                                   cabinet, other_cabinet):
    me = registered("wangfang", HER_ID)
    asked = _app_code(client, me, world)
    assert asked.status_code == 201, asked.get_json()
    redeemed = cabinet.post("/redeem", {"code": asked.get_json()["code"]})
    assert redeemed.status_code == 200
    dispensed = cabinet.post("/dispense-results", {"event_id": "evt-one-person-1",
                                                   "pickup_id": asked.get_json()["id"],
                                                   "ok": True})
    assert dispensed.get_json()["status"] == "dispensed"
    # The same day, her ID card at the other cabinet: same person, same 22-day interval.
    card = _id_card(other_cabinet, HER_ID.lower())
    assert card.status_code == 409 and error_code(card) == "pickup.too_soon"
    assert ledger_problems() == []


def test_id_card_pickup_counts_against_her_app_codes(client, world, registered, cabinet):
    me = registered("wangfang", HER_ID)
    card = _id_card(cabinet)
    assert card.status_code == 200
    cabinet.post("/dispense-results", {"event_id": "evt-one-person-2",
                                       "pickup_id": card.get_json()["pickup_id"], "ok": True})
    asked = _app_code(client, me, world, point="CAB-XL-01")
    assert asked.status_code == 409 and error_code(asked) == "pickup.too_soon"


def test_pickups_before_her_registration_count_against_her_id_card(client, world, sim,
                                                                    registered, cabinet,
                                                                    other_cabinet):
    from tests.helpers import login

    before = login(client, sim, "wangfang")
    asked = _app_code(client, before, world)
    assert asked.status_code == 201
    cabinet.post("/redeem", {"code": asked.get_json()["code"]})
    cabinet.post("/dispense-results", {"event_id": "evt-one-person-3",
                                       "pickup_id": asked.get_json()["id"], "ok": True})
    registered("wangfang", HER_ID)  # the same WeChat user files a registration afterwards
    card = _id_card(other_cabinet)
    assert card.status_code == 409 and error_code(card) == "pickup.too_soon"


def test_guidance_recorded_by_id_number_lets_her_app_ask_for_pills(client, world, registered,
                                                                   staff_headers):
    me = registered("wangfang", HER_ID)
    refused = _app_code(client, me, world, item="pill-combined", quantity=1)
    assert refused.status_code == 409 and error_code(refused) == "pickup.needs_guidance"
    recorded = client.post("/api/v1/staff/supplies/guidance", headers=staff_headers(),
                           json={"id_number": f" {HER_ID} ",
                                 "item_id": world["items"]["pill-combined"]})
    assert recorded.status_code == 201
    allowed = _app_code(client, me, world, item="pill-combined", quantity=1)
    assert allowed.status_code == 201, allowed.get_json()
    pills = {p["name"] for p in client.get(
        "/api/v1/supply-points", headers=me,
        query_string={"latitude": 31.963, "longitude": 118.813}).get_json()[0]["items"]}
    assert "复方口服避孕药（短效）" in pills


# -- races ---------------------------------------------------------------------------------------
def _at_once(app, count, action):
    """Run ``action(own_test_client, n)`` from ``count`` threads released together."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        with app.test_client() as own:
            barrier.wait()
            results[n] = action(own, n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _pickups_of_the_day() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Pickup.id)).where(
        Pickup.status.in_(("held", "redeemed", "dispensed"))))


@pytest.mark.postgres_only
def test_twenty_id_card_pickups_at_two_cabinets_at_once_give_exactly_one(app, world, cabinet,
                                                                         other_cabinet):
    cabinets = [cabinet, other_cabinet]

    def tap(own, n):
        mine = cabinets[n % 2]
        return _id_card(Cabinet(own, mine.key_id, mine.secret))

    answers = _at_once(app, 20, tap)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 19, statuses
    assert {error_code(a) for a in answers if a.status_code == 409} == {"pickup.too_soon"}
    assert _pickups_of_the_day() == 1
    assert ledger_problems() == []


@pytest.mark.postgres_only
def test_her_app_and_her_id_card_racing_give_exactly_one(app, client, world, registered,
                                                         cabinet, other_cabinet):
    me = registered("wangfang", HER_ID)
    cabinets = [cabinet, other_cabinet]

    def either(own, n):
        if n % 3 == 0:
            return own.post("/api/v1/me/pickups", headers=me, json={
                "point_id": world["points"]["CAB-DH-01"],
                "items": [{"item_id": world["items"]["condom-m"], "quantity": 1}]})
        mine = cabinets[n % 2]
        return _id_card(Cabinet(own, mine.key_id, mine.secret))

    answers = _at_once(app, 12, either)
    statuses = [a.status_code for a in answers]
    assert sum(s in (200, 201) for s in statuses) == 1, statuses
    assert all(s == 409 for s in statuses if s not in (200, 201)), statuses
    assert {error_code(a) for a in answers if a.status_code == 409} <= {
        "pickup.too_soon", "pickup.already_holding"}
    assert _pickups_of_the_day() == 1
    assert ledger_problems() == []


@pytest.mark.postgres_only
def test_her_app_and_id_card_at_a_cabinet_with_overdue_codes_answer_without_5xx(
        app, client, world, sim, registered, cabinet):
    """Asking for a code first sweeps the point's overdue codes (stock rows) and then takes her
    holder lock; an ID-card pickup takes the lock and then the stock rows. Both in the same
    order, or the two deadlock and one answers 500."""
    from sqlalchemy import update

    from tests.helpers import login
    from wxapp.models.base import utcnow
    from wxapp.transactions import commit

    for n in range(6):
        _app_code(client, login(client, sim, f"neighbour-{n}"), world, quantity=1)
    db.session.execute(update(Pickup).values(expires_at=utcnow()))
    commit()
    me = registered("wangfang", HER_ID)

    def either(own, n):
        if n % 2 == 0:
            return own.post("/api/v1/me/pickups", headers=me, json={
                "point_id": world["points"]["CAB-DH-01"],
                "items": [{"item_id": world["items"]["condom-m"], "quantity": 1}]})
        return _id_card(Cabinet(own, cabinet.key_id, cabinet.secret))

    answers = _at_once(app, 8, either)
    statuses = [a.status_code for a in answers]
    assert all(s < 500 for s in statuses), statuses
    assert sum(s in (200, 201) for s in statuses) == 1, statuses
    assert ledger_problems() == []
