"""Pickup codes and quotas at fixed days and around midnight China time: a code holds for its
minutes across midnight and New Year, and "every 22 days" counts China's calendar days."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.china_clock import at_china, every_fixed_moment
from tests.helpers import error_code, login
from wxapp.china_time import CHINA


def _ask(client, headers, world, quantity=5):
    return client.post("/api/v1/me/pickups", headers=headers, json={
        "point_id": world["points"]["CAB-DH-01"],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": quantity}]})


@every_fixed_moment
@pytest.mark.parametrize("after_minutes, redeemed", [(29, True), (31, False)])
def test_pickup_code_holds_its_minutes_on_every_day(client, world, resident, cabinet, moment,
                                                    after_minutes, redeemed):
    with at_china(moment) as clock:
        code = _ask(client, resident(), world).get_json()["code"]
        clock.shift(timedelta(minutes=after_minutes))  # 30 minutes by default
        answer = cabinet.post("/redeem", {"code": code})
    if redeemed:
        assert answer.status_code == 200, answer.get_json()
    else:
        assert answer.status_code == 410 and error_code(answer) == "pickup.code_expired"


def test_interval_counts_china_days_across_new_year(client, sim, world, resident, cabinet):
    with at_china(datetime(2027, 12, 31, 23, 30, tzinfo=CHINA)) as clock:
        first = _ask(client, resident("interval"), world).get_json()
        assert cabinet.post("/redeem", {"code": first["code"]}).status_code == 200
        # 23:30 on 21 January: 22 China days have not passed yet.
        clock.move_to(datetime(2028, 1, 21, 23, 30, tzinfo=CHINA).astimezone(UTC))
        me = login(client, sim, "interval")
        early = _ask(client, me, world)
        # 00:30 on 22 January in China (still the 21st in UTC): the day has come.
        clock.move_to(datetime(2028, 1, 22, 0, 30, tzinfo=CHINA).astimezone(UTC))
        me = login(client, sim, "interval")
        on_the_day = _ask(client, me, world)
    assert early.status_code == 409 and error_code(early) == "pickup.too_soon"
    assert early.get_json()["error"]["details"]["next_pickup_on"] == "2028-01-22"
    assert on_the_day.status_code == 201, on_the_day.get_json()
