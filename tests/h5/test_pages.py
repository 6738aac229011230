"""The resident pages as the server sends them: every page renders with a strict CSP, no
inline script or style, no personal data, and the home page stays light for a slow phone."""
from __future__ import annotations

import re

import pytest

from wxapp.h5.pages import CONTENT_SECURITY_POLICY

PAGES = ["/h5/", "/h5/registration", "/h5/screening", "/h5/supplies", "/h5/ask",
         "/h5/notices", "/h5/faq", "/h5/faq?topic=precheck&entry=precheck.free"]
FIRST_PAGE_BUDGET = 150 * 1024


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_in_chinese_under_a_strict_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    # Signed in by a bearer token kept in the tab: no cookie, so nothing for CSRF to ride on.
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    # Scripts are files of this app; no inline code, handlers or style attributes.
    assert all(src.startswith("/static/h5/") for src in re.findall(r'<script src="([^"]+)"', html))
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert re.search(r"\sstyle=", html) is None and "<style" not in html
    assert "http://" not in html.replace('href="tel:', "") and "https://" not in html


def test_static_scripts_use_no_framework_and_no_other_host(client):
    for name in ("api.js", "home.js", "registration.js", "screening.js", "supplies.js", "ask.js",
                 "notices.js", "faq.js", "h5.css"):
        body = client.get(f"/static/h5/{name}").get_data(as_text=True)
        assert "http://" not in body and "https://" not in body, name
        assert "eval(" not in body and "innerHTML" not in body, name


def test_first_page_with_everything_it_loads_is_under_150_kb(client):
    html = client.get("/h5/").get_data()
    assets = re.findall(rb'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert {a.rsplit(b"/", 1)[-1] for a in assets} >= {b"api.js", b"h5.css", b"home.js"}
    total = len(html) + sum(len(client.get(a.decode()).get_data()) for a in assets)
    assert total < FIRST_PAGE_BUDGET, total


def test_qr_code_is_an_svg_of_the_posted_text_kept_out_of_caches(client):
    response = client.post("/h5/qr.svg", json={"text": "PK:12345678"})
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True).startswith('<svg xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": 5}, {"text": "x" * 201}])
def test_qr_code_refuses_what_is_not_a_short_text(client, body):
    assert client.post("/h5/qr.svg", json=body).status_code == 400


def test_qr_code_is_never_served_to_a_get(client):
    assert client.get("/h5/qr.svg?text=PK:12345678").status_code == 405
