"""The resident pages in a phone's browser: WeChat's built-in browser is Chromium, on a
360 x 640 screen. Builds on tests/browser/conftest.py (browser, live_server, screenshots,
axe-core)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, PageProblems, axe_violations, screenshot

# Generous: a 2-core machine shared by many test runs.
WAIT_MS = 20_000


@pytest.fixture
def live_app(live_server):
    return live_server.base_url


def phone_context(browser, live_app, **options):
    return browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                               has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
                               accept_downloads=True, base_url=live_app, **options)


class ApiAwareProblems(PageProblems):
    """As the harness's, except that a 4xx from /api/v1 is the API speaking (a refused ID
    number, an expired token): the page shows its message, and tests check that. A 5xx, or a
    page's own file failing to load, is still a problem."""

    def _on_response(self, response):
        if "/api/v1/" in response.url and response.status < 500:
            return
        super()._on_response(response)


@pytest.fixture
def page(browser, live_app):
    """A phone's page on the app; fails the test if the page logged an error (a CSP refusal
    is one) or a request failed."""
    context = phone_context(browser, live_app)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    problems = ApiAwareProblems(page)
    yield page
    context.close()
    problems.assert_none()


@pytest.fixture
def token_for(client, sim):
    """A resident's API token from the mini-program sign-in: the contract lets tests open
    /h5/<page>#token=<token> without the web-authorisation flow."""
    def make(user: str) -> str:
        code = sim.login_code(user)["code"]
        response = client.post("/api/v1/auth/login", json={"code": code})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]
    return make


def shoot(page, name: str):
    return screenshot(page, f"h5-{name}")


# Every visible piece of text at least 18 px with line height at least 1.3; every visible
# tap target (links, buttons, fields; a radio or checkbox by its label) at least 44 x 44 px.
ELDERLY_CHECK = """() => {
  const problems = [];
  const shown = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && r.right > 0 && s.visibility !== 'hidden'; };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' +
    (e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 20) + '"';
  for (const e of document.querySelectorAll('body *')) {
    if (!shown(e) || e.closest('svg')) continue;
    const own = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(e);
    const size = parseFloat(style.fontSize);
    if (size < 18) problems.push('text ' + size + 'px: ' + name(e));
    const lh = style.lineHeight === 'normal' ? 0 : parseFloat(style.lineHeight);
    if (lh && lh / size < 1.3) {
      problems.push('line height ' + (lh / size).toFixed(2) + ': ' + name(e));
    }
  }
  const targets = 'a[href], button, input, select, textarea';
  for (let e of document.querySelectorAll(targets)) {
    if (!shown(e) || e.closest('.skip') || e.classList.contains('skip')) continue;
    if (e.type === 'radio' || e.type === 'checkbox') e = e.closest('label') || e;
    const r = e.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) problems.push('target ' + Math.round(r.width) + 'x' +
      Math.round(r.height) + ': ' + name(e));
  }
  return problems;
}"""


def assert_elderly_friendly(page) -> None:
    problems = page.evaluate(ELDERLY_CHECK)
    assert problems == [], problems


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = axe_violations(page)
    assert violations == [], violations


@pytest.fixture
def stocked_township(app):
    """The demo township with its supply items and points; ids by code and name."""
    from wxapp.extensions import db
    from wxapp.models import SupplyItem, SupplyPoint, Village
    from wxapp.seeding.seed import seed_demo, seed_supply_items
    from wxapp.transactions import commit

    with app.app_context():
        seed_supply_items()
        seed_demo()
        commit()
        return {"items": {i.code: i.id for i in db.session.scalars(select(SupplyItem))},
                "points": {p.code: p.id for p in db.session.scalars(select(SupplyPoint))},
                "villages": {v.name: v.id for v in db.session.scalars(select(Village))}}
