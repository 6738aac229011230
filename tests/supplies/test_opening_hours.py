"""A code for the health centre's counter (工作日 8:00-17:00) asked for while it is closed
stays usable in its next opening, and she is told when that is. Fixed instants, China time."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from wxapp.china_time import CHINA
from wxapp.services.supplies import pickups
from wxapp.services.supplies.opening_hours import code_window, parse_hours

CHINA_TIME = CHINA
WEDNESDAY_0638 = datetime(2026, 12, 2, 6, 38, tzinfo=CHINA_TIME)
WEDNESDAY_1000 = datetime(2026, 12, 2, 10, 0, tzinfo=CHINA_TIME)
FRIDAY_1650 = datetime(2026, 12, 4, 16, 50, tzinfo=CHINA_TIME)
SATURDAY_1000 = datetime(2026, 12, 5, 10, 0, tzinfo=CHINA_TIME)
MONDAY_0800 = datetime(2026, 12, 7, 8, 0, tzinfo=CHINA_TIME)
MONDAY_1700 = datetime(2026, 12, 7, 17, 0, tzinfo=CHINA_TIME)


@pytest.fixture
def clock(monkeypatch):
    def set_to(instant: datetime):
        monkeypatch.setattr(pickups, "utcnow", lambda: instant.astimezone(UTC))
    return set_to


def _ask(client, headers, world, point="CNT-WSY-01"):
    response = client.post("/api/v1/me/pickups", headers=headers, json={
        "point_id": world["points"][point],
        "items": [{"item_id": world["items"]["condom-m"], "quantity": 2}]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_asked_at_0638_on_a_working_day_the_code_lasts_through_todays_opening(
        client, world, resident, clock):
    clock(WEDNESDAY_0638)
    body = _ask(client, resident(), world)
    assert _instant(body["usable_from"]) == datetime(2026, 12, 2, 8, 0, tzinfo=CHINA_TIME)
    assert _instant(body["expires_at"]) == datetime(2026, 12, 2, 17, 0, tzinfo=CHINA_TIME)
    assert "今天08:00至17:00" in body["when_to_come"]


def test_asked_on_friday_at_1650_the_code_waits_for_monday(client, world, resident, clock):
    clock(FRIDAY_1650)
    body = _ask(client, resident(), world)
    assert _instant(body["usable_from"]) == MONDAY_0800
    assert _instant(body["expires_at"]) == MONDAY_1700
    assert "12月7日（周一）08:00至17:00" in body["when_to_come"]


def test_asked_on_saturday_the_code_waits_for_monday(client, world, resident, clock):
    clock(SATURDAY_1000)
    me = resident()
    body = _ask(client, me, world)
    assert (_instant(body["usable_from"]), _instant(body["expires_at"])) == \
        (MONDAY_0800, MONDAY_1700)
    # Nothing sweeps it away over the weekend, and she reads the same when she looks again.
    clock(MONDAY_0800 - timedelta(minutes=1))
    assert pickups.expire_overdue(now=pickups.utcnow()) == 0
    again = client.get(f"/api/v1/me/pickups/{body['id']}", headers=me).get_json()
    assert again["status"] == "held" and again["code"] == body["code"]
    assert "今天08:00至17:00" in again["when_to_come"]
    clock(MONDAY_0800 + timedelta(hours=1))
    opened = client.get(f"/api/v1/me/pickups/{body['id']}", headers=me).get_json()
    assert "请在今天17:00前" in opened["when_to_come"]


def test_while_the_counter_is_open_the_code_is_the_usual_half_hour(client, world, resident,
                                                                   clock):
    clock(WEDNESDAY_1000)
    body = _ask(client, resident(), world)
    assert body["usable_from"] is None
    assert _instant(body["expires_at"]) == WEDNESDAY_1000 + timedelta(minutes=30)
    assert "今天10:30前" in body["when_to_come"]


def test_a_cabinet_open_all_day_keeps_the_usual_half_hour_at_night(client, world, resident,
                                                                   clock):
    clock(SATURDAY_1000.replace(hour=2))
    body = _ask(client, resident(), world, point="CAB-DH-01")
    assert body["usable_from"] is None
    assert _instant(body["expires_at"]) == SATURDAY_1000.replace(hour=2, minute=30)


def test_nearby_says_when_a_closed_counter_opens_before_she_asks(client, world, resident,
                                                                  clock):
    clock(SATURDAY_1000)
    points = {p["name"]: p for p in client.get(
        "/api/v1/supply-points", headers=resident(),
        query_string={"latitude": 31.963, "longitude": 118.813}).get_json()}
    counter = points["示范镇卫生院药具发放窗口"]
    assert counter["open_now"] is False
    assert counter["next_opening"] == "12月7日（周一）08:00至17:00"
    cabinet = points["东湖村卫生室自助发放机"]
    assert cabinet["open_now"] is True and cabinet["next_opening"] is None


@pytest.mark.parametrize("text,expected", [
    ("全天", None),
    ("", None),
    ("工作日 8:00-17:00", {d: ((time(8), time(17)),) for d in range(5)}),
    ("周一至周六 8:00–12:00、14:30至17:30",
     {d: ((time(8), time(12)), (time(14, 30), time(17, 30))) for d in range(6)}),
    ("工作日 8:00-17:00，周六 8:00-12:00",
     {**{d: ((time(8), time(17)),) for d in range(5)}, 5: ((time(8), time(12)),)}),
    ("每天 7：30-21：00", {d: ((time(7, 30), time(21)),) for d in range(7)}),
    ("营业时间请电话咨询", None),  # unreadable: treated as always open, as before
])
def test_opening_hours_as_staff_write_them(text, expected):
    parsed = parse_hours(text)
    assert (parsed.ranges if parsed else None) == expected


def test_a_lunch_break_keeps_the_code_for_the_afternoon():
    hours = parse_hours("工作日 8:00-12:00、14:00-17:00")
    window = code_window(hours, datetime(2026, 12, 2, 11, 45, tzinfo=CHINA_TIME),
                         timedelta(minutes=30), CHINA_TIME)
    assert (window.usable_from, window.expires_at) == (
        datetime(2026, 12, 2, 14, 0, tzinfo=CHINA_TIME),
        datetime(2026, 12, 2, 17, 0, tzinfo=CHINA_TIME))

