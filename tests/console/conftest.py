"""The ``console`` fixture: staff of any role signed in to the console through its real pages
(password, then the two-step code where the role needs one), and the CSRF token a page gives.

    client, staff = console.sign_in("reviewer")        # enrols two-step sign-in with pyotp
    client, staff = console.sign_in("village_worker", village="西岭村")
    response = console.post(client, "/console/...", data={...})   # with the CSRF token
    other = console.sign_in_as(staff)                  # the same person in a second browser

Codes are made with pyotp from the secret the enrolment page shows (``console.secrets``);
a code is accepted once, so a second sign-in uses the next time step (at most two sign-ins
of one person within the same 30 seconds without moving the clock).

``staff`` is detached from any database session: read its columns, not its relationships
other than ``village``/``township``/``clinics`` (loaded before it is handed out)."""
from __future__ import annotations

import itertools
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import Clinic, StaffUser, Township, Village
from wxapp.seeding.seed import seed_demo
from wxapp.services.accounts.passwords import hash_password
from wxapp.transactions import commit

PASSWORD = "console-pass-2026"
DISPLAY_NAMES = {"township_admin": "测试管理员", "reviewer": "测试审核员",
                 "village_worker": "测试村专干", "clinic": "测试医生"}
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_SECRET = re.compile(r'<p class="secret" id="secret">(.*?)</p>', re.S)
TWO_STEP_ROLES = ("township_admin", "reviewer")
_numbers = itertools.count(1)


def csrf_from(html: str) -> str:
    found = _CSRF_META.search(html)
    assert found, "the page has no csrf-token meta tag"
    return found.group(1)


class Console:
    def __init__(self, app):
        self.app = app
        self.secrets: dict[int, str] = {}
        self._last_step: dict[int, int] = {}

    # -- people --------------------------------------------------------------------------------
    def make_staff(self, role: str, *, village: str = "东湖村", clinics=("示范镇卫生院",),
                   password: str = PASSWORD, **fields) -> StaffUser:
        """A staff member of the demo township (seeded on first use). ``village`` and
        ``clinics`` are names from the demo data; any StaffUser column can be given."""
        with self.app.app_context():
            seed_demo()
            township = db.session.scalars(select(Township)).first()
            values = {
                "username": f"console-{role.replace('_', '-')}-{next(_numbers)}",
                "display_name": DISPLAY_NAMES[role],
                "role": role,
                "township_id": township.id,
                "password_hash": hash_password(password),
                "active": True,
                "session_version": 1,
            }
            if role == "village_worker":
                values["village_id"] = db.session.scalars(
                    select(Village).filter_by(name=village)).one().id
            values.update(fields)
            staff = StaffUser(**values)
            if role == "clinic" and "clinics" not in fields:
                staff.clinics = list(db.session.scalars(
                    select(Clinic).where(Clinic.name.in_(clinics))))
            db.session.add(staff)
            commit()
            db.session.refresh(staff)
            # Loaded now, so that the detached object answers the usual questions.
            _ = (staff.township, staff.village, list(staff.clinics))
            db.session.expunge(staff)
            return staff

    # -- pages -----------------------------------------------------------------------------------
    def client(self):
        return self.app.test_client()

    def csrf(self, client, path: str = "/console/account") -> str:
        """The CSRF token of ``client``'s session, read from a page's meta tag."""
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return csrf_from(response.get_data(as_text=True))

    def post(self, client, path: str, data: dict | None = None, *, token_from: str | None = None,
             htmx: bool = False, **kwargs):
        """POST a form with the session's CSRF token (read from ``token_from``, by default the
        account page; an htmx request sends it as the header, as console.js does)."""
        token = self.csrf(client, token_from or "/console/account")
        data = dict(data or {})
        headers = dict(kwargs.pop("headers", {}) or {})
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": token})
        else:
            data.setdefault("csrf_token", token)
        return client.post(path, data=data, headers=headers, **kwargs)

    def submit_password(self, client, username: str, password: str = PASSWORD,
                        next_url: str | None = None):
        token = self.csrf(client, "/console/login")
        data = {"csrf_token": token, "username": username, "password": password}
        if next_url:
            data["next"] = next_url
        return client.post("/console/login", data=data)

    def code_for(self, staff) -> str:
        """A code for ``staff``'s next unused time step."""
        secret = self.secrets[staff.id]
        totp = pyotp.TOTP(secret)
        step = int(time.time() // totp.interval)
        step = max(step, self._last_step.get(staff.id, -1) + 1)
        self._last_step[staff.id] = step
        return totp.generate_otp(step)

    def submit_code(self, client, staff, code: str | None = None):
        token = self.csrf(client, "/console/login/two-step")
        return client.post("/console/login/two-step", data={
            "csrf_token": token, "code": code or self.code_for(staff)})

    def enrol(self, client, staff):
        """On the enrolment page: read the secret as a person would type it, confirm a code."""
        page = client.get("/console/login/two-step").get_data(as_text=True)
        found = _SECRET.search(page)
        assert found, "the enrolment page shows no secret"
        self.secrets[staff.id] = re.sub(r"<[^>]+>|\s", "", found.group(1))
        return self.submit_code(client, staff)

    def sign_in_as(self, staff, client=None, password: str = PASSWORD):
        """``staff`` signs in on ``client`` (a new one by default)."""
        client = client or self.client()
        response = self.submit_password(client, staff.username, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        if staff.role in TWO_STEP_ROLES:
            assert response.headers["Location"] == "/console/login/two-step"
            if staff.id in self.secrets:
                response = self.submit_code(client, staff)
            else:
                response = self.enrol(client, staff)
            assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def sign_in(self, role: str, client=None, **staff_fields):
        """A new staff member of ``role`` and a test client signed in as her."""
        staff = self.make_staff(role, **staff_fields)
        return self.sign_in_as(staff, client), staff


@pytest.fixture
def console(app):
    return Console(app)
