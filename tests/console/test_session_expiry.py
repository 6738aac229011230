"""A console session ends after 30 minutes without a request and 10 hours after sign-in,
however busy the day. The clock is moved (time-machine), never waited for."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.china_clock import FIXED_MOMENTS, at_china

START = FIXED_MOMENTS["31 December 23:30"]  # the session runs over midnight and the year


def _signed_in(client) -> bool:
    return client.get("/console/account").status_code == 200


def test_a_session_idle_for_more_than_30_minutes_ends(console):
    with at_china(START) as clock:
        client, _ = console.sign_in("clinic")
        clock.shift(timedelta(minutes=29))
        assert _signed_in(client)  # and this request moves the idle deadline
        clock.shift(timedelta(minutes=29))
        assert _signed_in(client)
        clock.shift(timedelta(minutes=30, seconds=5))
        response = client.get("/console/account")
        assert response.status_code == 302
        login = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "长时间未操作" in login


def test_a_busy_session_still_ends_10_hours_after_sign_in(console):
    with at_china(START) as clock:
        client, _ = console.sign_in("clinic")
        for _ in range(9 * 3 + 2):  # a request every 20 minutes for 9 h 40 min
            clock.shift(timedelta(minutes=20))
            assert _signed_in(client)
        clock.shift(timedelta(minutes=20, seconds=5))
        assert not _signed_in(client)


def test_expiry_follows_the_settings(console, app):
    settings = app.config["WXAPP"]
    assert settings.console_session_idle_minutes == 30
    assert settings.console_session_absolute_hours == 10
    with time_machine.travel(START, tick=False) as clock:
        client, _ = console.sign_in("clinic")
        clock.shift(timedelta(minutes=30))
        assert _signed_in(client)  # exactly at the limit is still within it


def test_signing_out_after_the_session_ran_out_just_goes_to_sign_in(console):
    with at_china(START) as clock:
        client, _ = console.sign_in("clinic")
        token = console.csrf(client)
        clock.shift(timedelta(minutes=31))
        response = client.post("/console/logout", data={"csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/login")
        assert "长时间未操作" in client.get(response.headers["Location"]).get_data(as_text=True)
