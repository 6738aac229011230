"""What every console browser test does: take over a console session signed in through the
console's own pages (the ``console`` fixture, two-step sign-in included), and check a page
for its own problems and axe's."""
from __future__ import annotations

from tests.browser.conftest import axe_violations

COOKIE = "wxapp_console"


def carry_session(page, live_server, client) -> None:
    """The browser takes over ``client``'s console session."""
    cookie = client.get_cookie(COOKIE, path="/console/")
    assert cookie is not None, "the client is not signed in to the console"
    page.context.add_cookies([{"name": COOKIE, "value": cookie.value,
                               "url": live_server.url("/console/")}])


def signed_in(page, console, live_server, role: str, **fields):
    """A new staff member of ``role`` signed in, in this browser; returns the staff member."""
    client, staff = console.sign_in(role, **fields)
    carry_session(page, live_server, client)
    return staff


def no_axe_violations(page) -> bool:
    """The page's own problems so far, then axe. axe leaves ``style=""`` on elements it
    measured, which the page's CSP reports as a refused inline style (then and whenever htmx
    later copies such an element): those are axe's, so they are removed after it ran."""
    page.problems.assert_none()
    found = axe_violations(page)
    page.evaluate("document.querySelectorAll('[style]').forEach("
                  "e => e.getAttribute('style') === '' && e.removeAttribute('style'))")
    page.problems.messages[:] = [m for m in page.problems.messages
                                 if "Applying inline style violates" not in m]
    assert found == []
    return True
