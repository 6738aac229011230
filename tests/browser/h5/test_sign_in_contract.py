"""The pages' side of the sign-in contract (tasks/h5-contract): the token comes in the
fragment and leaves the address bar; no token sends the page to /h5/auth/start with where to
come back; a token refused right after arriving shows a message instead of looping."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse


def test_a_page_without_a_token_goes_to_sign_in_with_the_way_back(page):
    """The rest of the flow (WeChat's authorisation and the callback) is h5-auth's, tested in
    tests/test_h5_sign_in.py."""
    with page.expect_request("**/h5/auth/start?**") as sent:
        page.goto("/h5/registration?from=menu")
    assert parse_qs(urlparse(sent.value.url).query)["next"] == ["/h5/registration?from=menu"]


def test_a_refused_token_just_after_sign_in_shows_a_message_instead_of_looping(page):
    page.goto("/h5/registration#token=not-a-real-token&expires_in=7200")
    page.locator("#alert").filter(has_text="登录没有成功").wait_for()
    assert urlparse(page.url).path == "/h5/registration"
    assert page.evaluate("sessionStorage.getItem('h5.token')") is None


def test_the_token_stays_for_the_visit_but_not_in_the_address(page, token_for):
    token = token_for("h5-visit")
    page.goto(f"/h5/notices#token={token}&expires_in=7200")
    page.locator("#loading").wait_for(state="hidden")
    assert "token" not in page.url
    assert page.evaluate("sessionStorage.getItem('h5.token')") == token
    page.goto("/h5/supplies")
    page.locator("#loading").wait_for(state="hidden")
    assert page.locator("#alert").is_hidden()
