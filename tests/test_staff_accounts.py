"""The township office manages its staff through the staff API: adds them, places them in a
village or clinics, changes their role, disables and enables them, resets passwords; all of
it audited, for its own township only, and by nobody else."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import AuditLog, Clinic, StaffUser, Township, Village
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
from wxapp.services.accounts.passwords import hash_password
from wxapp.transactions import commit

API = "/api/v1/staff/accounts"
GOOD_PASSWORD = "Spring-rain-2026"


def _login(client, username, password=DEMO_STAFF_PASSWORD):
    return client.post("/api/v1/staff/auth/login",
                       json={"username": username, "password": password})


def _headers(client, username, password=DEMO_STAFF_PASSWORD):
    response = _login(client, username, password)
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def demo(client, app_ctx):
    seed_demo()
    commit()
    return {"villages": {v.name: v.id for v in db.session.scalars(select(Village))},
            "clinics": {c.name: c.id for c in db.session.scalars(select(Clinic))},
            "staff": {s.username: s.id for s in db.session.scalars(select(StaffUser))},
            "admin": _headers(client, "demo-admin")}


@pytest.fixture
def other_township(client, demo):
    """Another township, with its own admin, village and clinic."""
    township = Township(code="320000002", name="邻镇")
    db.session.add(township)
    db.session.flush()
    village = Village(township_id=township.id, code="320000002001", name="邻村")
    clinic = Clinic(township_id=township.id, name="邻镇卫生院", address="邻镇1号", phone="0000")
    db.session.add_all([village, clinic, StaffUser(
        username="next-admin", display_name="邻镇管理员", role="township_admin",
        township_id=township.id, password_hash=hash_password(DEMO_STAFF_PASSWORD))])
    commit()
    return {"village": village.id, "clinic": clinic.id,
            "admin": _headers(client, "next-admin")}


def _audits(action):
    return db.session.scalars(select(AuditLog).filter_by(action=action)
                              .order_by(AuditLog.id)).all()


def _account(username) -> StaffUser:
    db.session.expire_all()
    return db.session.scalars(select(StaffUser).filter_by(username=username)).one()


# -- happy paths -------------------------------------------------------------------------------
def test_admin_adds_a_reviewer_who_can_sign_in(client, demo):
    created = client.post(API, headers=demo["admin"], json={
        "username": "wang.reviewer", "display_name": "王审核", "role": "reviewer",
        "password": GOOD_PASSWORD})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["role"] == "reviewer" and body["active"] is True
    assert body["generated_password"] is None and body["clinic_ids"] == []
    assert created.headers["Cache-Control"] == "no-store"
    assert "password_hash" not in body and GOOD_PASSWORD not in created.get_data(as_text=True)
    assert _login(client, "wang.reviewer", GOOD_PASSWORD).status_code == 200
    listed = client.get(API, headers=demo["admin"]).get_json()
    assert "wang.reviewer" in {a["username"] for a in listed}
    [audit] = _audits("staff.created")
    assert audit.actor_id == str(demo["staff"]["demo-admin"])
    assert audit.detail["role"] == "reviewer" and audit.detail["password"] == "given"
    assert GOOD_PASSWORD not in str(audit.detail)


def test_a_generated_password_is_shown_once_and_works(client, demo):
    created = client.post(API, headers=demo["admin"], json={
        "username": "li-village", "display_name": "李专干", "role": "village_worker",
        "village_id": demo["villages"]["西岭村"]})
    assert created.status_code == 201, created.get_json()
    password = created.get_json()["generated_password"]
    assert len(password) == 16
    assert _login(client, "li-village", password).status_code == 200
    shown_again = client.get(f"{API}/{created.get_json()['id']}", headers=demo["admin"])
    assert password not in shown_again.get_data(as_text=True)
    assert "generated_password" not in shown_again.get_json()
    assert password not in str([a.detail for a in db.session.scalars(select(AuditLog))])


def test_new_clinic_staff_see_only_the_clinics_they_were_given(client, demo):
    county = demo["clinics"]["示范县妇幼保健院"]
    created = client.post(API, headers=demo["admin"], json={
        "username": "zhao-doctor", "display_name": "赵医生", "role": "clinic",
        "clinic_ids": [county], "password": GOOD_PASSWORD})
    assert created.status_code == 201 and created.get_json()["clinic_ids"] == [county]
    doctor = _headers(client, "zhao-doctor", GOOD_PASSWORD)
    seen = client.get("/api/v1/staff/clinics", headers=doctor).get_json()
    assert [c["id"] for c in seen] == [county]
    township = demo["clinics"]["示范镇卫生院"]
    assert client.get(f"/api/v1/staff/clinics/{township}/schedule",
                      headers=doctor).status_code == 404
    both = client.put(f"{API}/{created.get_json()['id']}", headers=demo["admin"],
                      json={"clinic_ids": [county, township]})
    assert both.status_code == 200 and both.get_json()["clinic_ids"] == sorted([county, township])
    assert client.get(f"/api/v1/staff/clinics/{township}/schedule",
                      headers=doctor).status_code == 200


def test_disabling_ends_open_sessions_at_once_and_enabling_lets_her_back(client, demo):
    reviewer = _headers(client, "demo-reviewer")
    staff_id = demo["staff"]["demo-reviewer"]
    assert client.get("/api/v1/staff/auth/me", headers=reviewer).status_code == 200
    disabled = client.post(f"{API}/{staff_id}/disable", headers=demo["admin"])
    assert disabled.status_code == 200 and disabled.get_json()["active"] is False
    me = client.get("/api/v1/staff/auth/me", headers=reviewer)
    assert me.status_code == 401 and error_code(me) == "auth.token_revoked"
    assert error_code(_login(client, "demo-reviewer")) == "staff.disabled"
    enabled = client.post(f"{API}/{staff_id}/enable", headers=demo["admin"])
    assert enabled.status_code == 200 and enabled.get_json()["active"] is True
    assert client.get("/api/v1/staff/auth/me", headers=reviewer).status_code == 401
    assert _login(client, "demo-reviewer").status_code == 200
    assert [a.target_id for a in _audits("staff.disabled")] == [str(staff_id)]
    assert [a.target_id for a in _audits("staff.enabled")] == [str(staff_id)]


def test_changing_the_role_moves_the_place_with_it(client, demo):
    worker = demo["staff"]["demo-village"]
    promoted = client.put(f"{API}/{worker}", headers=demo["admin"],
                          json={"role": "reviewer", "display_name": "东湖审核"})
    assert promoted.status_code == 200, promoted.get_json()
    assert promoted.get_json()["village_id"] is None
    assert promoted.get_json()["display_name"] == "东湖审核"
    [audit] = _audits("staff.changed")
    assert audit.detail["role"] == ["village_worker", "reviewer"]
    assert audit.detail["village_id"] == [demo["villages"]["东湖村"], None]
    needs_clinic = client.put(f"{API}/{worker}", headers=demo["admin"], json={"role": "clinic"})
    assert needs_clinic.status_code == 422 and error_code(needs_clinic) == "staff.clinics_required"
    back = client.put(f"{API}/{worker}", headers=demo["admin"],
                      json={"role": "village_worker", "village_id": demo["villages"]["南桥社区"]})
    assert back.status_code == 200 and back.get_json()["village_id"] == demo["villages"]["南桥社区"]
    assert _account("demo-village").role == "village_worker"


def test_resetting_a_password_ends_her_sessions_and_the_old_password(client, demo):
    clinic = _headers(client, "demo-clinic")
    staff_id = demo["staff"]["demo-clinic"]
    reset = client.post(f"{API}/{staff_id}/password", headers=demo["admin"],
                        json={"password": GOOD_PASSWORD})
    assert reset.status_code == 200 and reset.get_json()["generated_password"] is None
    assert client.get("/api/v1/staff/auth/me", headers=clinic).status_code == 401
    assert _login(client, "demo-clinic").status_code == 401
    assert _login(client, "demo-clinic", GOOD_PASSWORD).status_code == 200
    generated = client.post(f"{API}/{staff_id}/password", headers=demo["admin"], json={})
    new_password = generated.get_json()["generated_password"]
    assert generated.headers["Cache-Control"] == "no-store"
    assert _login(client, "demo-clinic", new_password).status_code == 200
    assert [a.detail["password"] for a in _audits("staff.password_reset")] == ["given",
                                                                               "generated"]


# -- refusals ----------------------------------------------------------------------------------
def test_an_admin_can_neither_disable_nor_demote_herself(client, demo):
    me = demo["staff"]["demo-admin"]
    disabled = client.post(f"{API}/{me}/disable", headers=demo["admin"])
    assert disabled.status_code == 409 and error_code(disabled) == "staff.cannot_disable_self"
    demoted = client.put(f"{API}/{me}", headers=demo["admin"], json={"role": "reviewer"})
    assert demoted.status_code == 409 and error_code(demoted) == "staff.cannot_change_own_role"
    assert _account("demo-admin").active and _account("demo-admin").role == "township_admin"
    assert client.put(f"{API}/{me}", headers=demo["admin"],
                      json={"display_name": "镇管理员"}).status_code == 200


@pytest.mark.parametrize("body, code", [
    ({"password": "short1"}, "staff.password_too_short"),
    ({"password": "new-reviewer-2026"}, "staff.password_contains_username"),
    ({"password": "aaaaaaaaaaaa"}, "staff.password_too_simple"),
    ({"password": "x" * 257}, "request.validation_failed"),
    ({"username": "has space"}, "staff.username_invalid"),
    ({"username": "-leading"}, "staff.username_invalid"),
    ({"username": "DEMO-ADMIN"}, "staff.username_taken"),
    ({"display_name": "   "}, "staff.display_name_invalid"),
    ({"role": "superuser"}, "request.validation_failed"),
    ({"role": "village_worker"}, "staff.village_required"),
    ({"village_id": 1}, "staff.village_not_applicable"),
    ({"clinic_ids": [1]}, "staff.clinics_not_applicable"),
    ({"role": "clinic"}, "staff.clinics_required"),
    ({"role": "clinic", "clinic_ids": [99999]}, "staff.clinics_invalid"),
    ({"role": "clinic", "clinic_ids": [10**20]}, "request.validation_failed"),
    ({"role": "village_worker", "village_id": 99999}, "staff.village_invalid"),
    ({"is_superuser": True}, "request.validation_failed"),
])
def test_bad_accounts_are_refused_and_nothing_is_saved(client, demo, body, code):
    before = db.session.scalar(select(func.count(StaffUser.id)))
    response = client.post(API, headers=demo["admin"], json={
        "username": "new-reviewer", "display_name": "新审核员", "role": "reviewer",
        "password": GOOD_PASSWORD, **body})
    assert response.status_code in (409, 422), response.get_json()
    assert error_code(response) == code
    assert "message" in response.get_json()["error"]
    assert db.session.scalar(select(func.count(StaffUser.id))) == before
    assert _audits("staff.created") == []


def _every_call(demo):
    target = demo["staff"]["demo-village"]
    return [("get", API, None), ("post", API, {"username": "sneaky", "display_name": "x",
                                               "role": "township_admin",
                                               "password": GOOD_PASSWORD}),
            ("get", f"{API}/{target}", None), ("put", f"{API}/{target}", {"role": "reviewer"}),
            ("post", f"{API}/{target}/disable", None), ("post", f"{API}/{target}/enable", None),
            ("post", f"{API}/{target}/password", {"password": GOOD_PASSWORD})]


@pytest.mark.parametrize("username", ["demo-reviewer", "demo-village", "demo-clinic"])
def test_only_the_township_office_manages_accounts(client, demo, username):
    headers = _headers(client, username)
    for method, url, body in _every_call(demo):
        response = getattr(client, method)(url, headers=headers, json=body)
        assert response.status_code == 403, (method, url)
        assert error_code(response) == "auth.role_forbidden"
    assert _account("demo-village").role == "village_worker" and _account("demo-village").active
    assert _login(client, "demo-village").status_code == 200
    assert db.session.scalars(select(StaffUser).filter_by(username="sneaky")).first() is None


def test_no_token_no_accounts(client, demo):
    for method, url, body in _every_call(demo):
        assert getattr(client, method)(url, json=body).status_code == 401


def test_another_townships_admin_finds_none_of_our_staff(client, demo, other_township):
    theirs = other_township["admin"]
    listed = client.get(API, headers=theirs).get_json()
    assert [a["username"] for a in listed] == ["next-admin"]
    for method, url, body in _every_call(demo)[2:]:
        response = getattr(client, method)(url, headers=theirs, json=body)
        assert response.status_code == 404 and error_code(response) == "staff.not_found"
    assert _account("demo-village").role == "village_worker" and _account("demo-village").active
    assert _login(client, "demo-village").status_code == 200


def test_staff_are_placed_only_in_the_admins_own_township(client, demo, other_township):
    ours = demo["admin"]
    into_their_village = client.post(API, headers=ours, json={
        "username": "stray-worker", "display_name": "越界", "role": "village_worker",
        "village_id": other_township["village"]})
    assert error_code(into_their_village) == "staff.village_invalid"
    into_their_clinic = client.post(API, headers=ours, json={
        "username": "stray-doctor", "display_name": "越界", "role": "clinic",
        "clinic_ids": [demo["clinics"]["示范镇卫生院"], other_township["clinic"]]})
    assert error_code(into_their_clinic) == "staff.clinics_invalid"
    moved = client.put(f"{API}/{demo['staff']['demo-clinic']}", headers=ours,
                       json={"clinic_ids": [other_township["clinic"]]})
    assert moved.status_code == 422
    assert [c.name for c in _account("demo-clinic").clinics] == ["示范镇卫生院"]


# -- retries -----------------------------------------------------------------------------------
def test_a_retried_create_makes_one_account(client, demo):
    body = {"username": "retry-me", "display_name": "重试", "role": "reviewer",
            "password": GOOD_PASSWORD}
    first = client.post(API, headers=demo["admin"], json=body)
    again = client.post(API, headers=demo["admin"], json=body)
    assert first.status_code == 201
    assert again.status_code == 409 and error_code(again) == "staff.username_taken"
    assert db.session.scalar(select(func.count(StaffUser.id)).filter_by(username="retry-me")) == 1
    assert len(_audits("staff.created")) == 1


def test_retried_disable_and_enable_change_nothing_more(client, demo):
    staff_id = demo["staff"]["demo-village"]
    for _ in range(2):
        assert client.post(f"{API}/{staff_id}/disable", headers=demo["admin"]).status_code == 200
    version = _account("demo-village").session_version
    assert client.post(f"{API}/{staff_id}/disable", headers=demo["admin"]).status_code == 200
    assert _account("demo-village").session_version == version
    for _ in range(2):
        assert client.post(f"{API}/{staff_id}/enable", headers=demo["admin"]).status_code == 200
    assert len(_audits("staff.disabled")) == len(_audits("staff.enabled")) == 1
    same = client.put(f"{API}/{staff_id}", headers=demo["admin"],
                      json={"display_name": "东湖村专干"})
    assert same.status_code == 200 and _audits("staff.changed") == []


@pytest.mark.postgres_only
def test_admins_racing_to_create_one_username_make_one_account(app, client, demo):
    racers = 8
    barrier = threading.Barrier(racers)
    responses = []

    def race(n):
        with app.test_client() as own:
            barrier.wait()
            responses.append(own.post(API, headers=demo["admin"], json={
                "username": "contested", "display_name": f"抢注{n}", "role": "reviewer",
                "password": GOOD_PASSWORD}))

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (racers - 1)
    assert {error_code(r) for r in responses if r.status_code == 409} == {"staff.username_taken"}
    db.session.expire_all()
    assert db.session.scalar(select(func.count(StaffUser.id))
                             .filter_by(username="contested")) == 1
