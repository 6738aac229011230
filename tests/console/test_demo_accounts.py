"""The demo's staff accounts sign in to the console, and `flask seed --demo` says how."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import StaffUser
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
from wxapp.transactions import commit

LANDING = {"demo-admin": "/console/dashboard", "demo-reviewer": "/console/registrations?view=due",
           "demo-village": "/console/registrations?view=open", "demo-clinic": "/console/home"}


@pytest.fixture
def demo_staff(app):
    with app.app_context():
        seed_demo()
        commit()
        staff = {s.username: s for s in db.session.scalars(select(StaffUser))}
        for account in staff.values():
            db.session.expunge(account)
        return staff


@pytest.mark.parametrize("username", LANDING)
def test_each_demo_account_signs_in_to_the_console(console, demo_staff, username):
    client = console.sign_in_as(demo_staff[username], password=DEMO_STAFF_PASSWORD)
    assert client.get("/console/").headers["Location"] == LANDING[username]


def test_seeding_the_demo_says_where_the_console_is(app, app_ctx):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "/console/" in result.output and "two-step" in result.output
