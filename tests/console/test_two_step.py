"""Two-step sign-in for the accounts that see the whole township: enrolment with a QR code at
the first sign-in, a code at every sign-in after, a code accepted once, wrong codes limited."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.china_clock import FIXED_MOMENTS, at_china
from tests.console.conftest import PASSWORD
from wxapp.errors import NotFound
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser, Township
from wxapp.services.accounts import two_step


def _signed_in(client) -> bool:
    return client.get("/console/account").status_code == 200


def _account(app, staff_id) -> StaffUser:
    with app.app_context():
        account = db.session.get(StaffUser, staff_id)
        db.session.expunge(account)
        return account


@pytest.mark.parametrize("role", ["township_admin", "reviewer"])
def test_first_sign_in_enrols_with_a_qr_code_and_the_secret_typed_out(console, app, role):
    staff = console.make_staff(role)
    client = console.client()
    response = console.submit_password(client, staff.username, next_url="/console/account")
    assert response.headers["Location"] == "/console/login/two-step"
    # The password alone opens nothing.
    assert not _signed_in(client)
    page = client.get("/console/login/two-step").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and "设置两步验证" in page
    secret = re.sub(r"<[^>]+>|\s", "", page.split('id="secret">')[1].split("</p>")[0])
    console.secrets[staff.id] = secret
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    # Reloading the page keeps the same secret (the person may be half-way through typing).
    again = client.get("/console/login/two-step").get_data(as_text=True)
    assert secret == re.sub(r"<[^>]+>|\s", "", again.split('id="secret">')[1].split("</p>")[0])

    wrong = console.submit_code(client, staff, "000000" if pyotp.TOTP(secret).now() != "000000"
                                else "111111")
    assert wrong.status_code == 401
    assert "验证码不正确" in wrong.get_data(as_text=True)
    assert _account(app, staff.id).totp_secret is None  # nothing kept before a right code

    done = console.submit_code(client, staff)
    assert done.status_code == 302 and done.headers["Location"] == "/console/account"
    assert "两步验证已设置好" in client.get("/console/account").get_data(as_text=True)
    account = _account(app, staff.id)
    assert account.totp_secret == secret and account.totp_enrolled_at is not None
    with app.app_context():
        stored = db.session.execute(sa.text(
            "select totp_secret from staff_users where id = :id"), {"id": staff.id}).scalar()
        assert stored.startswith("v1:") and secret not in stored  # encrypted at rest
        assert db.session.scalars(select(AuditLog.action).filter_by(
            target_type="staff_user", target_id=str(staff.id))).all() == [
            "staff.two_step_enrolled"]


def test_later_sign_ins_ask_for_the_code_and_show_no_secret(console):
    _, staff = console.sign_in("reviewer")
    client = console.client()
    console.submit_password(client, staff.username)
    page = client.get("/console/login/two-step").get_data(as_text=True)
    assert "<svg" not in page and 'id="secret"' not in page and "6位数字" in page
    assert console.submit_code(client, staff).status_code == 302
    assert _signed_in(client)


def test_a_code_is_accepted_once(console):
    _, staff = console.sign_in("township_admin")
    code = console.code_for(staff)
    first, second = console.client(), console.client()
    for client in (first, second):
        console.submit_password(client, staff.username)
    assert console.submit_code(first, staff, code).status_code == 302
    replay = console.submit_code(second, staff, code)
    assert replay.status_code == 401
    assert "这个验证码已经用过了" in replay.get_data(as_text=True)
    assert not _signed_in(second)


def test_codes_one_step_either_side_are_accepted_two_steps_off_are_not(console, app):
    with at_china(FIXED_MOMENTS["30 June"]):
        _, staff = console.sign_in("reviewer")
        totp = pyotp.TOTP(console.secrets[staff.id])
        step = two_step.current_step()
        client = console.client()
        console.submit_password(client, staff.username)
        assert console.submit_code(client, staff, totp.generate_otp(step + 3)).status_code \
            == 401
        assert console.submit_code(client, staff, totp.generate_otp(step - 2)).status_code \
            == 401
        assert console.submit_code(client, staff, totp.generate_otp(step + 1)).status_code \
            == 302


def test_full_width_digits_and_spaces_are_read_as_the_code(console):
    _, staff = console.sign_in("reviewer")
    client = console.client()
    console.submit_password(client, staff.username)
    code = console.code_for(staff)
    typed = "".join(chr(ord(c) + 0xFEE0) for c in code[:3]) + " " + code[3:]
    assert console.submit_code(client, staff, typed).status_code == 302


def test_not_a_code_is_said_plainly(console):
    _, staff = console.sign_in("reviewer")
    client = console.client()
    console.submit_password(client, staff.username)
    response = console.submit_code(client, staff, "12ab")
    assert response.status_code == 422
    assert "请输入验证器上显示的6位数字。" in response.get_data(as_text=True)


def test_five_wrong_codes_lock_the_two_step_check(console):
    _, staff = console.sign_in("reviewer")
    client = console.client()
    console.submit_password(client, staff.username)
    right = pyotp.TOTP(console.secrets[staff.id]).now()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert console.submit_code(client, staff, wrong).status_code == 401
    locked = console.submit_code(client, staff)
    assert locked.status_code == 429
    assert "验证码错误次数过多" in locked.get_data(as_text=True)
    assert not _signed_in(client)


def test_a_half_finished_sign_in_runs_out_after_ten_minutes(console):
    with at_china(FIXED_MOMENTS["31 December 23:50"]) as clock:
        _, staff = console.sign_in("reviewer")
        client = console.client()
        console.submit_password(client, staff.username)
        token = console.csrf(client, "/console/login/two-step")
        clock.shift(timedelta(minutes=10, seconds=30))
        response = client.post("/console/login/two-step", data={
            "csrf_token": token, "code": console.code_for(staff)})
        assert response.status_code == 302
        assert response.headers["Location"] == "/console/login"
        assert not _signed_in(client)


def test_other_roles_sign_in_with_the_password_alone(console):
    for role in ("village_worker", "clinic"):
        staff = console.make_staff(role)
        client = console.client()
        response = console.submit_password(client, staff.username)
        assert response.headers["Location"] == "/console/"
        assert _signed_in(client)


def test_the_office_resets_two_step_sign_in_and_the_account_enrols_again(console, app):
    reviewer_client, reviewer = console.sign_in("reviewer")
    _, admin = console.sign_in("township_admin")
    with app.app_context():
        two_step.reset_two_step(db.session.get(StaffUser, admin.id), reviewer.id)
        db.session.commit()
        # A retried reset finds nothing to reset and changes nothing.
        two_step.reset_two_step(db.session.get(StaffUser, admin.id), reviewer.id)
        db.session.commit()
    account = _account(app, reviewer.id)
    assert account.totp_secret is None and account.session_version == 2
    assert not _signed_in(reviewer_client)  # the reset ends her sessions
    old_secret = console.secrets.pop(reviewer.id)
    client = console.sign_in_as(account)  # enrols again, with a new secret
    assert _signed_in(client) and console.secrets[reviewer.id] != old_secret
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).filter_by(
            target_type="staff_user", target_id=str(reviewer.id)).order_by(AuditLog.id)).all()
        assert actions == ["staff.two_step_enrolled", "staff.two_step_reset",
                           "staff.two_step_enrolled"]


def test_resetting_needs_an_account_of_the_admins_own_township(console, app):
    _, admin = console.sign_in("township_admin")
    with app.app_context():
        elsewhere = Township(code="320000009", name="邻镇")
        db.session.add(elsewhere)
        db.session.commit()
        elsewhere_id = elsewhere.id
    stranger = console.make_staff("reviewer", township_id=elsewhere_id)
    console.sign_in_as(stranger)
    with app.app_context(), pytest.raises(NotFound):
        two_step.reset_two_step(db.session.get(StaffUser, admin.id), stranger.id)
    assert _account(app, stranger.id).totp_secret is not None


def test_a_step_is_claimed_once_even_by_two_requests(console, app):
    staff = console.make_staff("reviewer")
    with app.app_context():
        account = db.session.get(StaffUser, staff.id)
        assert two_step._claim_step(account, 100) is True
        assert two_step._claim_step(account, 100) is False
        assert two_step._claim_step(account, 99) is False
        assert two_step._claim_step(account, 101) is True
        db.session.rollback()


def test_the_password_step_is_still_the_staff_apis(console):
    staff = console.make_staff("township_admin")
    client = console.client()
    assert console.submit_password(client, staff.username, "wrong-password").status_code == 401
    assert console.submit_password(client, staff.username, PASSWORD).status_code == 302


@pytest.mark.postgres_only
def test_one_code_sent_twice_at_once_signs_in_once(console):
    from concurrent.futures import ThreadPoolExecutor

    _, staff = console.sign_in("reviewer")
    code = console.code_for(staff)
    clients = [console.client() for _ in range(2)]
    tokens = []
    for client in clients:
        console.submit_password(client, staff.username)
        tokens.append(console.csrf(client, "/console/login/two-step"))

    def send(pair):
        client, token = pair
        return client.post("/console/login/two-step",
                           data={"csrf_token": token, "code": code}).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(send, zip(clients, tokens, strict=True)))
    assert statuses == [302, 401]
    assert sorted(_signed_in(c) for c in clients) == [False, True]
