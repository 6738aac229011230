"""What every console page has: a sign-in wall, role checks, CSRF, security headers; and
what the rest of the app must not have: cookies."""
from __future__ import annotations

import pytest

from tests.wechat_server import ACCOUNT, next_msg_id, pushes
from wxapp.web.browser_pages import CONTENT_SECURITY_POLICY

ROLES = ("township_admin", "reviewer", "village_worker", "clinic")
LANDING = {
    "township_admin": "/console/dashboard",
    "reviewer": "/console/registrations?view=due",
    "village_worker": "/console/registrations?view=open",
    "clinic": "/console/home",
}


def _console_get_pages(app):
    """Every console page that a GET opens, without path arguments."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/console/") and "GET" in rule.methods
                  and not rule.arguments)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_own_work(console, role):
    client, _ = console.sign_in(role)
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"] == LANDING[role]


def test_clinic_home_lists_what_clinic_staff_can_open(console):
    client, staff = console.sign_in("clinic")
    page = client.get("/console/home").get_data(as_text=True)
    assert staff.display_name in page and 'href="/console/account"' in page


def test_every_console_page_sends_a_stranger_to_sign_in(console, app):
    client = console.client()
    pages = [p for p in _console_get_pages(app) if not p.startswith("/console/login")]
    assert "/console/" in pages and "/console/account" in pages
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/console/login?next="), path


def test_an_htmx_request_of_a_stranger_gets_401_and_where_to_go(console):
    response = console.client().get("/console/account", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/console/home?x=1"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/console/login?next=/console/home?x%3D1"


def test_a_page_for_other_roles_is_refused_with_a_403_page(console, app):
    from flask import g

    from wxapp.console.access import console_required

    @console_required("township_admin")
    def admin_only():
        return g.staff.username

    app.add_url_rule("/console/test-admin-only", "console_test_admin_only", admin_only)
    client, _ = console.sign_in("village_worker")
    response = client.get("/console/test-admin-only")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "您的账号没有此项权限。" in page and 'lang="zh-CN"' in page
    admin, staff = console.sign_in("township_admin")
    assert admin.get("/console/test-admin-only").get_data(as_text=True) == staff.username


def test_every_console_page_has_the_security_headers(console, app):
    client, _ = console.sign_in("township_admin")
    responses = [client.get(path) for path in _console_get_pages(app)]
    responses.append(client.get("/console/no-such-page"))
    responses.append(console.client().get("/console/login"))
    for response in responses:
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


def test_pages_carry_no_inline_script_or_style(console, app):
    client, _ = console.sign_in("township_admin")
    pages = [client.get(path).get_data(as_text=True) for path in _console_get_pages(app)]
    pages.append(console.client().get("/console/login").get_data(as_text=True))
    for page in pages:
        assert "<script>" not in page and " style=" not in page and " onclick=" not in page
        for tag in page.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), tag[:80]


def test_a_console_post_without_the_csrf_token_is_refused(console):
    client, _ = console.sign_in("clinic")
    response = client.post("/console/logout-everywhere")
    assert response.status_code == 400
    assert "请刷新页面后重新操作" in response.get_data(as_text=True)
    assert client.get("/console/account").status_code == 200  # nothing happened
    bad = client.post("/console/logout-everywhere", data={"csrf_token": "forged"})
    assert bad.status_code == 400
    htmx = client.post("/console/logout-everywhere",
                       headers={"HX-Request": "true", "X-CSRFToken": "forged"})
    assert htmx.status_code == 400 and "<html" not in htmx.get_data(as_text=True)
    assert client.get("/console/account").status_code == 200


def test_sign_in_itself_needs_the_csrf_token(console):
    staff = console.make_staff("clinic")
    client = console.client()
    client.get("/console/login")
    response = client.post("/console/login", data={"username": staff.username,
                                                   "password": "console-pass-2026"})
    assert response.status_code == 400
    assert client.get("/console/account").status_code == 302


def test_the_csrf_token_works_as_the_htmx_header(console):
    client, _ = console.sign_in("clinic")
    response = console.post(client, "/console/logout", htmx=True)
    assert response.status_code == 302


def test_the_json_apis_need_no_csrf_token(console, client):
    staff = console.make_staff("clinic")
    response = client.post("/api/v1/staff/auth/login", json={
        "username": staff.username, "password": "console-pass-2026"})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert client.post("/api/v1/staff/auth/logout", headers=headers).status_code == 204


def test_api_and_wechat_answers_never_set_a_cookie(console, client, wechat):
    signed_in, _ = console.sign_in("clinic")
    # Even a browser that holds a console cookie gets none back outside the console.
    cookie = signed_in.get_cookie("wxapp_console", path="/console/").value
    client.set_cookie("wxapp_console", cookie, path="/")
    push, _ = wechat.push(pushes.text_xml(ACCOUNT, "user-1", "你好", next_msg_id()))
    answers = [
        client.get("/healthz"),
        client.post("/api/v1/staff/auth/login", json={"username": "nobody", "password": "x"}),
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/staff/auth/me"),
        client.get("/wechat", query_string={"signature": "x", "timestamp": "1", "nonce": "n",
                                            "echostr": "e"}),
        push,
        client.post("/device/v1/redeem", json={}),
        client.get("/verify/NO-SUCH-CODE"),
    ]
    assert push.status_code == 200
    for answer in answers:
        assert "Set-Cookie" not in answer.headers, answer.request.path


def test_a_strangers_visit_to_a_missing_page_opens_no_session(console):
    response = console.client().get("/console/no-such-page")
    assert response.status_code == 404
    assert "没有找到" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
