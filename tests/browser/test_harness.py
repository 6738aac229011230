"""The harness itself, on the public certificate check page: a page loads in Chromium, its
screenshot is saved, axe runs, and a failing accessibility rule is caught."""
from __future__ import annotations

from tests.browser.conftest import axe_violations, screenshot


def test_a_public_page_renders_and_passes_axe(live_server, phone_page):
    response = phone_page.goto(live_server.url("/verify/NO-SUCH-CODE"))
    assert response.status == 404
    assert "未找到该凭证" in phone_page.inner_text("body")
    assert screenshot(phone_page, "verify-not-found-360").stat().st_size > 0
    assert axe_violations(phone_page) == []
    phone_page.problems.assert_none()


def test_axe_reports_a_real_violation(live_server, phone_page):
    phone_page.goto(live_server.url("/verify/NO-SUCH-CODE"))
    # An image with no text alternative is a critical violation (rule image-alt).
    phone_page.evaluate("document.body.appendChild(document.createElement('img'))")
    assert "image-alt" in [v["id"] for v in axe_violations(phone_page)]
