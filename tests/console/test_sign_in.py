"""Signing in to the console with a password: the staff API's rules, on a page in Chinese."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.console.conftest import PASSWORD
from wxapp.extensions import db
from wxapp.models import StaffUser


def _signed_in_as(client) -> int:
    return client.get("/console/account").status_code


def test_right_password_signs_in_and_lands_by_role(console):
    client, staff = console.sign_in("village_worker")
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/registrations?view=open"
    page = client.get("/console/account").get_data(as_text=True)
    assert staff.display_name in page and "村专干" in page and "退出登录" in page


def test_wrong_password_and_unknown_user_get_the_same_answer(console):
    staff = console.make_staff("clinic")
    client = console.client()
    wrong = console.submit_password(client, staff.username, "not-the-password")
    unknown = console.submit_password(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "用户名或密码不正确。" in response.get_data(as_text=True)
    assert _signed_in_as(client) == 302
    # The name typed stays in the form; the password never comes back.
    assert "not-the-password" not in wrong.get_data(as_text=True)


def test_five_wrong_passwords_lock_this_address_out_of_the_account(console):
    staff = console.make_staff("clinic")
    client = console.client()
    for _ in range(5):
        assert console.submit_password(client, staff.username, "wrong-password").status_code \
            == 401
    locked = console.submit_password(client, staff.username, PASSWORD)
    assert locked.status_code == 429
    assert "密码错误次数过多" in locked.get_data(as_text=True)
    assert _signed_in_as(client) == 302
    # Another address (her own desk) is not locked out by the stranger.
    other = console.client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert console.submit_password(other, staff.username, PASSWORD).status_code == 302


def test_a_disabled_account_cannot_sign_in(console):
    staff = console.make_staff("clinic", active=False)
    client = console.client()
    response = console.submit_password(client, staff.username, PASSWORD)
    assert response.status_code == 403
    assert "该账号已停用。" in response.get_data(as_text=True)
    assert _signed_in_as(client) == 302


def test_disabling_the_account_ends_its_console_session(console, app):
    client, staff = console.sign_in("clinic")
    assert _signed_in_as(client) == 200
    with app.app_context():
        db.session.get(StaffUser, staff.id).active = False
        db.session.commit()
    assert _signed_in_as(client) == 302


def test_a_password_reset_by_the_office_ends_the_console_session(console, app):
    from wxapp.services.accounts import staff_accounts

    client, staff = console.sign_in("clinic")
    _, admin = console.sign_in("township_admin")
    with app.app_context():
        staff_accounts.reset_password(db.session.get(StaffUser, admin.id), staff.id)
        db.session.commit()
    assert _signed_in_as(client) == 302


def test_sign_in_gives_a_new_session_id(console):
    staff = console.make_staff("clinic")
    client = console.client()
    client.get("/console/login")
    before = client.get_cookie("wxapp_console", path="/console/").value
    assert console.submit_password(client, staff.username).status_code == 302
    after = client.get_cookie("wxapp_console", path="/console/").value
    assert after != before
    # The id planted before sign-in opens nothing afterwards.
    planted = console.client()
    planted.set_cookie("wxapp_console", before, path="/console/")
    assert planted.get("/console/account").status_code == 302


def test_the_cookie_is_httponly_strict_and_scoped_to_the_console(console):
    client = console.client()
    header = client.get("/console/login").headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/console/" in header
    assert "Secure" not in header  # development serves http://127.0.0.1


@pytest.mark.parametrize("target, expected", [
    ("/console/account", "/console/account"),
    ("https://evil.example/console/", "/console/"),
    ("//evil.example/console/", "/console/"),
    ("/api/v1/staff/accounts", "/console/"),
])
def test_sign_in_returns_to_the_console_page_asked_for_and_nowhere_else(console, target,
                                                                       expected):
    staff = console.make_staff("clinic")
    client = console.client()
    response = console.submit_password(client, staff.username, next_url=target)
    assert response.headers["Location"] == expected


def test_sign_out_ends_the_session(console):
    client, _ = console.sign_in("clinic")
    response = console.post(client, "/console/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/console/login"
    assert _signed_in_as(client) == 302
    assert "您已退出登录。" in client.get("/console/login").get_data(as_text=True)


def test_sign_out_everywhere_ends_the_other_browsers_and_the_api_tokens(console, app):
    office, staff = console.sign_in("village_worker")
    phone = console.client()
    assert console.submit_password(phone, staff.username).status_code == 302
    token = app.test_client().post("/api/v1/staff/auth/login", json={
        "username": staff.username, "password": PASSWORD}).get_json()["token"]
    api = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/staff/auth/me", headers=api).status_code == 200
    page = office.get("/console/account").get_data(as_text=True)
    assert "接口" in page  # the page says API tokens end too

    response = console.post(office, "/console/logout-everywhere")
    assert response.status_code == 302
    assert _signed_in_as(office) == 302
    assert _signed_in_as(phone) == 302
    assert app.test_client().get("/api/v1/staff/auth/me", headers=api).status_code == 401
    with app.app_context():
        account = db.session.scalars(select(StaffUser).filter_by(id=staff.id)).one()
        assert account.session_version == staff.session_version + 1
