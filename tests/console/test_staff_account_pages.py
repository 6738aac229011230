"""Staff accounts in the console: the office adds, changes, disables and enables staff and
resets their passwords and two-step sign-in, through the same service as the staff API; every
change audited; bad input explained beside its field with nothing saved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.console import records
from tests.console.conftest import PASSWORD
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser, Village
from wxapp.transactions import commit

NEW_PASSWORD = "Spring-rain-2026"
ACCOUNT_CHANGES = ("staff.created", "staff.changed", "staff.disabled", "staff.enabled",
                   "staff.password_reset", "staff.two_step_reset")


def _body(response) -> str:
    return response.get_data(as_text=True)


def _audits(app, action) -> list[AuditLog]:
    with app.app_context():
        return db.session.scalars(select(AuditLog).filter_by(action=action)).all()


def _account(app, username) -> StaffUser | None:
    with app.app_context():
        account = db.session.scalars(select(StaffUser).filter_by(username=username)).first()
        if account is not None:
            _ = list(account.clinics)
            db.session.expunge(account)
        return account


def _count(app, username) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StaffUser.id)).where(
            func.lower(StaffUser.username) == username.lower()))


def _village_id(app, name) -> int:
    with app.app_context():
        return db.session.scalars(select(Village.id).filter_by(name=name)).one()


def _generated_password(html: str) -> str:
    found = re.search(r'<p class="secret"[^>]*>([^<]+)</p>', html)
    assert found, html
    return found.group(1).strip()


# -- who may --------------------------------------------------------------------------------------
PAGES = ["/console/staff", "/console/staff/new", "/console/staff/{id}"]
ACTIONS = ["/console/staff/new", "/console/staff/{id}", "/console/staff/{id}/disable",
           "/console/staff/{id}/enable", "/console/staff/{id}/password",
           "/console/staff/{id}/two-step"]


@pytest.mark.parametrize("role", ["reviewer", "village_worker", "clinic"])
@pytest.mark.parametrize("path", PAGES)
def test_only_the_office_opens_the_staff_pages(app, console, role, path):
    target = console.make_staff("reviewer")
    admin_client, _ = console.sign_in("township_admin")
    assert admin_client.get(path.format(id=target.id)).status_code == 200
    client, _ = console.sign_in(role)
    assert client.get(path.format(id=target.id)).status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "village_worker", "clinic"])
@pytest.mark.parametrize("path", ACTIONS)
def test_nobody_but_the_office_changes_an_account(app, console, role, path):
    target = console.make_staff("reviewer")
    client, _ = console.sign_in(role)
    answer = console.post(client, path.format(id=target.id), data={
        "username": "sneaky", "display_name": "某人", "role": "township_admin"})
    assert answer.status_code == 403
    after = _account(app, target.username)
    assert (after.role, after.active, after.password_hash, after.session_version) == (
        target.role, target.active, target.password_hash, target.session_version)
    assert _count(app, "sneaky") == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action.in_(ACCOUNT_CHANGES))) == 0


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(console, path):
    answer = console.client().get(path.format(id=1))
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_another_townships_account_is_not_found(app, console):
    client, _ = console.sign_in("township_admin")
    with app.app_context():
        place = records.other_township_village()
        commit()
        township_id = place.township_id
    stranger = console.make_staff("reviewer", township_id=township_id)
    assert client.get(f"/console/staff/{stranger.id}").status_code == 404
    assert console.post(client, f"/console/staff/{stranger.id}/disable").status_code == 404
    assert _account(app, stranger.username).active is True


# -- list ---------------------------------------------------------------------------------------
def test_the_list_shows_the_townships_staff_and_is_audited(app, console):
    client, _ = console.sign_in("township_admin")
    console.make_staff("village_worker", village="西岭村", display_name="周专干")
    page = _body(client.get("/console/staff?role=village_worker"))
    rows = page[page.find("<tbody>"):page.find("</tbody>")]
    assert "周专干" in rows and "西岭村" in rows and "测试管理员" not in rows
    assert len(_audits(app, "staff.list")) == 1


# -- add ----------------------------------------------------------------------------------------
def test_adding_a_village_worker_with_a_generated_password_shown_once(app, console):
    client, admin = console.sign_in("township_admin")
    answer = console.post(client, "/console/staff/new", data={
        "username": "zhou.village", "display_name": "周专干", "role": "village_worker",
        "village_id": str(_village_id(app, "西岭村")),
        # The clinics chosen too (a form without JS shows every choice): ignored for the role.
        "clinic_ids": ["1"]})
    assert answer.status_code == 201, _body(answer)
    assert answer.headers["Cache-Control"] == "no-store"
    password = _generated_password(_body(answer))
    created = _account(app, "zhou.village")
    assert (created.role, created.village_id, created.clinic_ids, created.active) == (
        "village_worker", _village_id(app, "西岭村"), [], True)
    [row] = _audits(app, "staff.created")
    assert row.actor_id == str(admin.id) and row.target_id == str(created.id)
    assert password not in str(row.detail)
    # The password works, and is on no later page.
    fresh = console.client()
    assert console.submit_password(fresh, "zhou.village", password).status_code == 302
    assert password not in _body(client.get(f"/console/staff/{created.id}"))


def test_adding_with_a_password_the_admin_chose(app, console):
    client, _ = console.sign_in("township_admin")
    answer = console.post(client, "/console/staff/new", data={
        "username": "wu.reviewer", "display_name": "吴审核", "role": "reviewer",
        "password": NEW_PASSWORD})
    assert answer.status_code == 201
    assert NEW_PASSWORD not in _body(answer) and 'class="secret"' not in _body(answer)
    assert _account(app, "wu.reviewer").role == "reviewer"


def test_a_village_worker_without_a_village_is_explained_and_not_saved(app, console):
    client, _ = console.sign_in("township_admin")
    answer = console.post(client, "/console/staff/new", data={
        "username": "no.village", "display_name": "无村", "role": "village_worker"})
    assert answer.status_code == 422
    html = _body(answer)
    assert 'id="village_id-error"' in html and "村专干需要选择所在的村（社区）。" in html
    assert 'value="no.village"' in html  # what was typed is kept
    assert _count(app, "no.village") == 0 and _audits(app, "staff.created") == []


def test_a_taken_username_is_explained_beside_it_and_nothing_is_saved(app, console):
    client, _ = console.sign_in("township_admin")
    existing = console.make_staff("reviewer")
    answer = console.post(client, "/console/staff/new", data={
        "username": existing.username.upper(), "display_name": "重名", "role": "reviewer"})
    assert answer.status_code == 409
    assert 'id="username-error"' in _body(answer) and "该用户名已被使用" in _body(answer)
    assert _count(app, existing.username) == 1 and _audits(app, "staff.created") == []


@pytest.mark.parametrize("data, field", [
    ({"username": "a", "display_name": "甲", "role": "reviewer"}, "username"),
    ({"username": "ok.name", "display_name": "", "role": "reviewer"}, "display_name"),
    ({"username": "ok.name", "display_name": "甲", "role": "boss"}, "role"),
    ({"username": "ok.name", "display_name": "甲", "role": "clinic"}, "clinic_ids"),
    ({"username": "ok.name", "display_name": "甲", "role": "reviewer", "password": "short"},
     "password"),
    ({"username": "ok.name", "display_name": "甲", "role": "village_worker",
      "village_id": "x1"}, "village_id"),
])
def test_bad_input_is_explained_in_chinese_beside_its_field(app, console, data, field):
    client, _ = console.sign_in("township_admin")
    answer = console.post(client, "/console/staff/new", data=data)
    assert answer.status_code in (409, 422)
    html = _body(answer)
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    assert error and re.search(r"[\u4e00-\u9fff]", error.group(1))
    assert _count(app, data["username"]) == 0


def test_sending_the_add_form_twice_makes_one_account(app, console):
    client, _ = console.sign_in("township_admin")
    token = console.csrf(client, "/console/staff/new")
    form = {"csrf_token": token, "username": "twice", "display_name": "两次",
            "role": "reviewer"}
    first = client.post("/console/staff/new", data=form)
    second = client.post("/console/staff/new", data=form)
    assert (first.status_code, second.status_code) == (201, 409)
    assert _count(app, "twice") == 1 and len(_audits(app, "staff.created")) == 1


def test_adding_without_the_csrf_token_is_refused(app, console):
    client, _ = console.sign_in("township_admin")
    answer = client.post("/console/staff/new", data={
        "username": "no.token", "display_name": "无令牌", "role": "reviewer"})
    assert answer.status_code == 400
    assert _count(app, "no.token") == 0


# -- change -------------------------------------------------------------------------------------
def test_making_a_reviewer_a_village_worker(app, console):
    client, _ = console.sign_in("township_admin")
    target = console.make_staff("reviewer", display_name="郑审核")
    answer = console.post(client, f"/console/staff/{target.id}", data={
        "display_name": "郑专干", "role": "village_worker",
        "village_id": str(_village_id(app, "南桥社区"))})
    assert answer.status_code == 303
    assert "已保存修改" in _body(client.get(answer.headers["Location"]))
    after = _account(app, target.username)
    assert (after.display_name, after.role, after.village_id) == (
        "郑专干", "village_worker", _village_id(app, "南桥社区"))
    [row] = _audits(app, "staff.changed")
    assert row.detail["role"] == ["reviewer", "village_worker"]


def test_a_changed_role_without_its_place_is_explained_and_not_saved(app, console):
    client, _ = console.sign_in("township_admin")
    target = console.make_staff("reviewer")
    answer = console.post(client, f"/console/staff/{target.id}", data={
        "display_name": "某人", "role": "clinic"})
    assert answer.status_code == 422
    assert 'id="clinic_ids-error"' in _body(answer)
    assert _account(app, target.username).role == "reviewer"
    assert _audits(app, "staff.changed") == []


def test_the_admin_cannot_change_her_own_role(app, console):
    client, admin = console.sign_in("township_admin")
    answer = console.post(client, f"/console/staff/{admin.id}", data={
        "display_name": admin.display_name, "role": "reviewer"})
    assert answer.status_code == 409
    assert 'id="role-error"' in _body(answer) and "不能修改自己的角色" in _body(answer)
    assert _account(app, admin.username).role == "township_admin"


# -- disable, enable ------------------------------------------------------------------------------
def test_disabling_ends_the_console_session_and_the_api_token(app, console):
    admin_client, _ = console.sign_in("township_admin")
    worker_client, worker = console.sign_in("village_worker")
    token = app.test_client().post("/api/v1/staff/auth/login", json={
        "username": worker.username, "password": PASSWORD}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert worker_client.get("/console/account").status_code == 200
    assert app.test_client().get("/api/v1/staff/registrations",
                                 headers=bearer).status_code == 200

    answer = console.post(admin_client, f"/console/staff/{worker.id}/disable")
    assert answer.status_code == 303
    assert "已停用账号" in _body(admin_client.get(answer.headers["Location"]))

    assert worker_client.get("/console/account").status_code == 302
    assert app.test_client().get("/api/v1/staff/registrations",
                                 headers=bearer).status_code == 401
    assert console.submit_password(console.client(), worker.username).status_code != 302
    [row] = _audits(app, "staff.disabled")
    assert row.target_id == str(worker.id)

    assert console.post(admin_client, f"/console/staff/{worker.id}/enable").status_code == 303
    assert _account(app, worker.username).active is True
    assert len(_audits(app, "staff.enabled")) == 1
    assert console.submit_password(console.client(), worker.username).status_code == 302


def test_the_admin_cannot_disable_herself(app, console):
    client, admin = console.sign_in("township_admin")
    answer = console.post(client, f"/console/staff/{admin.id}/disable")
    assert answer.status_code == 303
    assert "不能停用自己的账号" in _body(client.get(answer.headers["Location"]))
    assert _account(app, admin.username).active is True


# -- password -----------------------------------------------------------------------------------
def test_a_password_reset_shows_a_new_one_once_and_ends_the_old_sessions(app, console):
    admin_client, admin = console.sign_in("township_admin")
    reviewer_client, reviewer = console.sign_in("village_worker")
    answer = console.post(admin_client, f"/console/staff/{reviewer.id}/password")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    password = _generated_password(_body(answer))
    assert reviewer_client.get("/console/account").status_code == 302
    assert console.submit_password(console.client(), reviewer.username).status_code != 302
    assert console.submit_password(console.client(), reviewer.username,
                                   password).status_code == 302
    [row] = _audits(app, "staff.password_reset")
    assert row.actor_id == str(admin.id) and password not in str(row.detail)


def test_a_weak_chosen_password_is_explained_and_nothing_changes(app, console):
    client, _ = console.sign_in("township_admin")
    target = console.make_staff("reviewer")
    answer = console.post(client, f"/console/staff/{target.id}/password",
                          data={"password": "aaaaaaaaaaaa"})
    assert answer.status_code == 422
    assert 'id="password-error"' in _body(answer) and "密码太简单" in _body(answer)
    assert _account(app, target.username).password_hash == target.password_hash
    assert _audits(app, "staff.password_reset") == []


# -- two-step sign-in ------------------------------------------------------------------------------
def test_resetting_two_step_sign_in_ends_the_sessions_and_is_audited(app, console):
    admin_client, admin = console.sign_in("township_admin")
    reviewer_client, reviewer = console.sign_in("reviewer")  # enrolled on the way in
    assert _account(app, reviewer.username).totp_secret is not None
    assert "已设置" in _body(admin_client.get(f"/console/staff/{reviewer.id}"))

    answer = console.post(admin_client, f"/console/staff/{reviewer.id}/two-step")
    assert answer.status_code == 303
    page = _body(admin_client.get(answer.headers["Location"]))
    assert "已重置" in page and "尚未设置" in page
    assert _account(app, reviewer.username).totp_secret is None
    assert reviewer_client.get("/console/account").status_code == 302
    [row] = _audits(app, "staff.two_step_reset")
    assert (row.actor_id, row.target_id) == (str(admin.id), str(reviewer.id))

    # Sent again (a reload): nothing more to reset, nothing more recorded.
    assert console.post(admin_client, f"/console/staff/{reviewer.id}/two-step"
                        ).status_code == 303
    assert len(_audits(app, "staff.two_step_reset")) == 1


def test_an_account_without_two_step_sign_in_offers_no_reset(app, console):
    client, _ = console.sign_in("township_admin")
    worker = console.make_staff("village_worker")
    page = _body(client.get(f"/console/staff/{worker.id}"))
    assert "该角色不需要" in page and "无需重置" in page
    assert f"/console/staff/{worker.id}/two-step" not in page
