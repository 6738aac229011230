"""Signing in to the resident's pages by WeChat web authorisation (网页授权), end to end through
the simulator: our /h5/auth/start -> the simulator's authorise page -> our callback, which
exchanges the code once and lands on the page asked for with an API token in the fragment."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import _clean, make_app
from tests.helpers import login
from wxapp.config import DEV_MINIPROGRAM_APP_ID, DEV_WECHAT_APP_ID
from wxapp.services.accounts.web_login import safe_next
from wxapp.wechat.simulator import openid_for, unionid_for

COOKIE = "wxapp_h5_state"


def start(client, next_path: str | None = "/h5/registration"):
    """Open /h5/auth/start; returns the authorise URL the browser is sent to."""
    url = "/h5/auth/start" + (f"?next={quote(next_path, safe='')}" if next_path else "")
    response = client.get(url)
    assert response.status_code == 302
    return response.headers["Location"]


def authorise(authorise_url: str, user: str = "alice", **sim_args) -> tuple[str, str]:
    """The browser at WeChat's authorise page: returns (our callback path + query, code)."""
    page, _, _ = authorise_url.partition("#")
    query = urlencode({"sim_user": user, **sim_args})
    response = requests.get(f"{page}&{query}", allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers["Location"])
    return f"{back.path}?{back.query}", parse_qs(back.query)["code"][0]


def sign_in(client, user="alice", next_path="/h5/registration", **sim_args):
    callback, code = authorise(start(client, next_path), user, **sim_args)
    return client.get(callback), callback, code


def token_of(response) -> str:
    fragment = urlsplit(response.headers["Location"]).fragment
    return parse_qs(fragment)["token"][0]


def exchanges(sim, code: str) -> int:
    return len(sim.call("GET", "/sim/web-auth-exchanges", params={"code": code})["exchanges"])


def resident_count(app) -> int:
    from wxapp.extensions import db
    from wxapp.models import Resident

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Resident))


def me(client, token: str) -> dict:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_start_sends_the_browser_to_wechats_authorise_page_with_a_state_bound_to_it(client, sim):
    location = start(client, "/h5/registration")
    page, _, fragment = location.partition("#")
    parts = urlsplit(page)
    assert f"{parts.scheme}://{parts.netloc}/" == sim.base_url
    assert parts.path == "/connect/oauth2/authorize"
    assert fragment == "wechat_redirect"
    query = parse_qs(parts.query)
    assert query["appid"] == [DEV_WECHAT_APP_ID]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/h5/auth/callback"]
    assert query["response_type"] == ["code"] and query["scope"] == ["snsapi_base"]
    # The same state is in the URL and in this browser's cookie, out of reach of scripts.
    cookie = client.get_cookie(COOKIE, path="/h5/auth/")
    assert cookie is not None and cookie.value == query["state"][0]
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.path == "/h5/auth/"


def test_a_resident_signs_in_and_lands_on_the_page_she_opened_with_a_token(app, client, sim):
    response, _, code = sign_in(client, next_path="/h5/registration?step=2")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.path, location.query) == ("/h5/registration", "step=2")
    fragment = parse_qs(location.fragment)
    assert fragment["expires_in"] == [str(app.config["WXAPP"].resident_token_ttl_seconds)]
    assert me(client, fragment["token"][0])["id"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get_cookie(COOKIE, path="/h5/auth/") is None
    assert exchanges(sim, code) == 1
    # The pages' resident is the official account's: the same openid the chat sees.
    from wxapp.extensions import db
    from wxapp.models import Resident

    with app.app_context():
        resident = db.session.get(Resident, me(client, fragment["token"][0])["id"])
        assert resident.oa_openid == openid_for("alice", DEV_WECHAT_APP_ID)


def test_the_pages_and_the_mini_program_are_one_resident_when_the_unionid_matches(client, sim):
    mini_program = me(client, login(client, sim, "carol")["Authorization"].split()[1])
    response, _, _ = sign_in(client, "carol")
    assert me(client, token_of(response))["id"] == mini_program["id"]


def test_without_a_unionid_the_pages_find_the_resident_the_chat_knows(app, client, sim):
    from wxapp.services.accounts.residents import record_follow
    from wxapp.transactions import commit

    with app.app_context():
        follower = record_follow(openid_for("dora", DEV_WECHAT_APP_ID)).id
        commit()
    response, _, _ = sign_in(client, "dora", sim_unionid="0")
    assert me(client, token_of(response))["id"] == follower
    stranger, _, _ = sign_in(client, "erin", sim_unionid="0")
    assert me(client, token_of(stranger))["id"] not in (follower,)


def test_a_chat_row_and_a_mini_program_row_for_one_person_sign_in_as_the_mini_programs(
        app, client, sim):
    """The chat made one row before the unionid was known, the mini-program another: no 500
    on the unique unionid, and the pages show what the mini-program's API holds."""
    from wxapp.services.accounts.residents import record_follow
    from wxapp.transactions import commit

    with app.app_context():
        record_follow(openid_for("fay", DEV_WECHAT_APP_ID))
        commit()
    mini_program = me(client, login(client, sim, "fay")["Authorization"].split()[1])
    response, _, _ = sign_in(client, "fay")
    assert response.status_code == 302
    assert me(client, token_of(response))["id"] == mini_program["id"]


def test_refreshing_the_callback_never_exchanges_the_code_again(client, sim):
    response, callback, code = sign_in(client, next_path="/h5/bookings")
    assert response.status_code == 302
    refreshed = client.get(callback)
    assert refreshed.status_code == 400
    page = refreshed.get_data(as_text=True)
    assert "已经用过" in page and 'data-error-code="auth.state_used"' in page
    assert "/h5/auth/start?next=/h5/bookings" in page
    assert "Location" not in refreshed.headers and "token" not in page
    assert exchanges(sim, code) == 1


def test_a_used_code_is_refused_by_wechat_once_and_never_retried(client, sim):
    first, _, code = sign_in(client)
    assert first.status_code == 302
    # The same code again, under a fresh state of this browser: WeChat answers 40163.
    state = parse_qs(urlsplit(start(client, "/h5/notices")).query)["state"][0]
    replay = client.get("/h5/auth/callback?" + urlencode({"code": code, "state": state}))
    assert replay.status_code == 401
    page = replay.get_data(as_text=True)
    assert 'data-error-code="auth.code_used"' in page and "重新进入" in page
    assert "/h5/auth/start?next=/h5/notices" in page
    assert exchanges(sim, code) == 2  # the sign-in, and this one refused attempt: no retry


def test_a_snapshot_pages_virtual_user_is_never_bound_to_an_account(app, client, sim):
    response, _, code = sign_in(client, "gina", sim_snapshot="1")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert 'data-error-code="auth.snapshot_user"' in page and "使用完整服务" in page
    assert "Location" not in response.headers
    assert exchanges(sim, code) == 1
    assert resident_count(app) == 0


def test_a_code_issued_to_another_account_is_refused(app, client, sim):
    location = start(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    # Another app's authorise page, sending the browser back to our callback with our state.
    other = requests.get(sim.base_url + "connect/oauth2/authorize", params={
        "appid": DEV_MINIPROGRAM_APP_ID, "redirect_uri": "http://127.0.0.1:5000/h5/auth/callback",
        "response_type": "code", "scope": "snsapi_base", "state": state, "sim_user": "alice"},
        allow_redirects=False, timeout=5)
    back = urlsplit(other.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 401
    assert 'data-error-code="auth.code_invalid"' in response.get_data(as_text=True)
    assert resident_count(app) == 0


def test_a_link_started_in_another_browser_is_refused_and_stays_usable_by_its_own(app, client,
                                                                                  sim):
    callback, code = authorise(start(client), "alice")
    forwarded = app.test_client().get(callback)  # no cookie: another phone
    assert forwarded.status_code == 400
    assert 'data-error-code="auth.state_mismatch"' in forwarded.get_data(as_text=True)
    assert exchanges(sim, code) == 0
    assert client.get(callback).status_code == 302


@pytest.mark.parametrize("query, expected", [
    ("code=abc", "auth.state_invalid"),
    ("code=abc&state=" + "x" * 200, "auth.state_invalid"),
    ("code=abc&state=made-up", "auth.state_mismatch"),
])
def test_a_missing_or_unknown_state_is_refused_before_any_exchange(client, sim, query,
                                                                   expected):
    response = client.get(f"/h5/auth/callback?{query}")
    assert response.status_code == 400
    assert f'data-error-code="{expected}"' in response.get_data(as_text=True)
    assert exchanges(sim, "abc") == 0


def test_a_state_this_server_never_issued_is_refused_even_with_a_matching_cookie(client, sim):
    client.set_cookie(COOKIE, "planted-state", path="/h5/auth/")
    response = client.get("/h5/auth/callback?code=abc&state=planted-state")
    assert response.status_code == 400
    assert 'data-error-code="auth.state_expired"' in response.get_data(as_text=True)
    assert exchanges(sim, "abc") == 0


def test_wechat_sending_no_code_asks_to_start_again(client, sim):
    state = parse_qs(urlsplit(start(client, "/h5/ask")).query)["state"][0]
    response = client.get(f"/h5/auth/callback?state={state}")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'data-error-code="auth.code_missing"' in page and "next=/h5/ask" in page


@pytest.mark.parametrize("evil", [
    "https://evil.example/h5/", "//evil.example/h5/", "/\\evil.example/h5/", "/h5/../api/v1/me",
    "/h5/%2e%2e/api/v1/me", "javascript:alert(1)", "/api/v1/me", "/h5/auth/start",
    "/h5/x#token=planted", "/h5/x\r\nSet-Cookie: a=b", "h5/relative", "/h5//evil.example",
])
def test_next_never_leaves_the_pages(evil):
    assert safe_next(evil) == "/h5/"


@pytest.mark.parametrize("fine", ["/h5/", "/h5/registration", "/h5/bookings/3?tab=result"])
def test_next_keeps_a_page_of_ours(fine):
    assert safe_next(fine) == fine


def test_an_open_redirect_through_next_lands_on_the_pages_home(client, sim):
    response, _, _ = sign_in(client, next_path="https://evil.example/")
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", "/h5/")


def test_a_disabled_resident_gets_no_token(app, client, sim):
    from wxapp.services.accounts.residents import record_follow
    from wxapp.transactions import commit

    with app.app_context():
        record_follow(openid_for("hana", DEV_WECHAT_APP_ID)).disabled = True
        commit()
    response, _, _ = sign_in(client, "hana", sim_unionid="0")
    assert response.status_code == 403
    assert 'data-error-code="auth.account_disabled"' in response.get_data(as_text=True)


def test_the_callback_is_rate_limited_per_address_with_a_page(base_settings, migrated, sim):
    app = make_app(replace(base_settings, rate_limit_login_per_address="2/hour"))
    try:
        client = app.test_client()
        for _ in range(2):
            client.get("/h5/auth/callback?code=abc&state=x")
        response = client.get("/h5/auth/callback?code=abc&state=x")
        assert response.status_code == 429
        assert response.mimetype == "text/html"
        assert "操作太频繁" in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
    finally:
        _clean(app)


# -- the simulator's side of the contract ------------------------------------------------------
def _exchange(sim, code, appid=DEV_WECHAT_APP_ID, secret="dev-oa-secret"):
    return requests.get(sim.base_url + "sns/oauth2/access_token", params={
        "appid": appid, "secret": secret, "code": code, "grant_type": "authorization_code"},
        timeout=5).json()


def _sim_code(sim, user="ivy", appid=DEV_WECHAT_APP_ID, **extra):
    response = requests.get(sim.base_url + "connect/oauth2/authorize", params={
        "appid": appid, "redirect_uri": "http://127.0.0.1:5000/h5/auth/callback?x=1",
        "response_type": "code", "scope": "snsapi_base", "state": "s1", "sim_user": user,
        **extra}, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    back = urlsplit(response.headers["Location"])
    assert back.path == "/h5/auth/callback"
    query = parse_qs(back.query)
    assert query["x"] == ["1"] and query["state"] == ["s1"]
    return query["code"][0]


def test_simulator_exchanges_a_code_once_as_wechat_documents(sim):
    code = _sim_code(sim)
    answer = _exchange(sim, code)
    assert answer["openid"] == openid_for("ivy", DEV_WECHAT_APP_ID)
    assert answer["unionid"] == unionid_for("ivy")
    assert answer["scope"] == "snsapi_base" and answer["expires_in"] == 7200
    assert answer["access_token"] and answer["refresh_token"]
    assert "is_snapshotuser" not in answer
    assert _exchange(sim, code)["errcode"] == 40163
    assert _exchange(sim, "never-issued")["errcode"] == 40029
    assert _exchange(sim, _sim_code(sim), secret="wrong")["errcode"] == 40125
    assert _exchange(sim, _sim_code(sim), appid="wx_unknown")["errcode"] == 40013
    assert _exchange(sim, _sim_code(sim, appid=DEV_MINIPROGRAM_APP_ID))["errcode"] == 40029


def test_simulator_codes_expire_after_five_minutes(sim):
    code = _sim_code(sim)
    sim.call("POST", "/sim/advance-clock", json={"seconds": 301})
    assert _exchange(sim, code)["errcode"] == 40029


def test_simulator_snapshot_users_are_virtual_and_new_each_time(sim):
    first = _exchange(sim, _sim_code(sim, sim_snapshot="1"))
    second = _exchange(sim, _sim_code(sim, sim_snapshot="1"))
    assert first["is_snapshotuser"] == 1 and "unionid" not in first
    assert first["openid"] != second["openid"] != openid_for("ivy", DEV_WECHAT_APP_ID)


def test_simulator_asks_who_the_browser_is_unless_told(sim):
    params = {"appid": DEV_WECHAT_APP_ID, "redirect_uri": "http://127.0.0.1:5000/cb",
              "response_type": "code", "scope": "snsapi_base", "state": "s"}
    page = requests.get(sim.base_url + "connect/oauth2/authorize", params=params,
                        allow_redirects=False, timeout=5)
    assert page.status_code == 200 and 'name="sim_user"' in page.text
    sim.call("POST", "/sim/web-auth-user", json={"user": "jo"})
    told = requests.get(sim.base_url + "connect/oauth2/authorize", params=params,
                        allow_redirects=False, timeout=5)
    assert told.status_code == 302
    code = parse_qs(urlsplit(told.headers["Location"]).query)["code"][0]
    assert _exchange(sim, code)["openid"] == openid_for("jo", DEV_WECHAT_APP_ID)
    bad = requests.get(sim.base_url + "connect/oauth2/authorize",
                       params={**params, "appid": "wx_unknown"}, timeout=5)
    assert bad.status_code == 400
