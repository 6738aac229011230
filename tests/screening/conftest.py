from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from tests.helpers import login
from wxapp.extensions import db
from wxapp.models import Township, Village
from wxapp.testing.people import couple_body
from wxapp.transactions import commit

# The test township is in county 320102, as are the couples' hukou: local, so eligible.
COUNTY = "320102"


@pytest.fixture
def home_village(app_ctx) -> int:
    village = db.session.scalars(select(Village).filter_by(code=f"{COUNTY}001001")).first()
    if village is None:
        township = Township(code=f"{COUNTY}001", name="测试街道")
        db.session.add(township)
        db.session.flush()
        village = Village(township_id=township.id, code=f"{COUNTY}001001", name="测试社区")
        db.session.add(village)
        commit()
    return village.id


@pytest.fixture
def couple_for(client, sim, home_village):
    """Log a resident in and give her couple's details; returns her Authorization header."""
    numbers = itertools.count()

    def make(user: str, **changes) -> dict:
        headers = login(client, sim, user)
        response = client.put("/api/v1/me/screening-couple", headers=headers,
                              json=couple_body(next(numbers), home_village, **changes))
        assert response.status_code == 200, response.get_json()
        return headers

    return make


@pytest.fixture
def make_slot(app_ctx, home_village):
    """Slots at a clinic of the test township, `in_hours` from now."""
    from datetime import timedelta

    from wxapp.models import Clinic, ScreeningSlot
    from wxapp.models.base import utcnow

    village = db.session.get(Village, home_village)
    clinic = Clinic(township_id=village.township_id, name="测试卫生院", address="测试路1号",
                    phone="0000")
    db.session.add(clinic)
    commit()

    def make(capacity=2, in_hours=48):
        starts = utcnow() + timedelta(hours=in_hours)
        slot = ScreeningSlot(clinic_id=clinic.id, starts_at=starts,
                             ends_at=starts + timedelta(hours=1), capacity=capacity, booked=0)
        db.session.add(slot)
        commit()
        return slot.id
    return make


@pytest.fixture
def staff_headers(client, home_village):
    """A township admin of the demo township, or (township_of_village=…) of the test one."""
    from wxapp.models import StaffUser
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
    from wxapp.services.accounts.passwords import hash_password

    seed_demo()
    commit()

    def headers_for(username="demo-admin", township_of_village=None):
        if township_of_village is not None:
            village = db.session.get(Village, township_of_village)
            username = f"admin-{village.township_id}"
            if db.session.scalars(select(StaffUser).filter_by(username=username)).first() is None:
                db.session.add(StaffUser(username=username, display_name="测试管理员",
                                         role="township_admin", township_id=village.township_id,
                                         password_hash=hash_password(DEMO_STAFF_PASSWORD)))
                commit()
        token = client.post("/api/v1/staff/auth/login", json={
            "username": username, "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
        return {"Authorization": f"Bearer {token}"}

    return headers_for
