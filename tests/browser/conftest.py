"""Browser tests: the app served on a loopback port, driven by Playwright in Debian's Chromium.

Playwright cannot download its own browser here (no route to its CDN), so it drives the
system's ``chromium`` through ``executable_path``. ``.ci/run`` installs that package; on a
machine without it these tests are skipped with the reason, never silently passed.

Screenshots land in ``tests/artefacts/`` (git-ignored), for a person to look at and for CI to
keep."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTEFACTS = Path(__file__).resolve().parent.parent / "artefacts"
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

# As root, Chromium refuses to start without --no-sandbox. The rest keep it from reaching for
# Google's hosts, which this network refuses (slow starts, noisy logs).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per run: a second one cannot start in the same thread."""
    if chromium_path() is None:
        pytest.skip("no chromium on this machine (apt install chromium; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (requirements-dev.txt)")
    with sync_api.sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def camera_page(playwright):
    """``camera_page(video)``: a desktop page in a Chromium of its own whose camera films the
    YUV4MPEG2 file ``video`` (over and over), with camera permission granted as if the user
    had clicked 允许. The shared ``browser`` has no camera at all."""
    launched = []

    def open_page(video: Path):
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
        launched.append(browser)
        return _new_page(browser, DESKTOP)[1]

    yield open_page
    for browser in launched:
        browser.close()


@pytest.fixture
def live_server(app):
    """The test's app on a loopback port; ``live_server.url(path)`` gives an address."""
    from wxapp.wechat.simulator import serve_in_thread

    server = serve_in_thread(app)

    class Live:
        base_url = server.base_url.rstrip("/")

        def url(self, path: str) -> str:
            return self.base_url + path

    yield Live()
    server.stop()


class PageProblems:
    """What the page said went wrong: console errors (a CSP refusal is one) and failed loads."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.messages.append(str(e)))
        page.on("response", self._on_response)

    def _on_console(self, message):
        # A failed load is reported by _on_response with its address; the console's copy
        # says only "404", and a page that *is* a 404 is often what a test asks for.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(message.text)

    def _on_response(self, response):
        request = response.request
        if response.status >= 400 and request.resource_type != "document" \
                and not request.url.endswith("/favicon.ico"):
            self.messages.append(f"{response.status} {request.url}")

    def assert_none(self):
        assert self.messages == []


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    # Generous: a busy 2-core CI machine runs the suite beside the browser.
    page.set_default_timeout(20_000)
    page.problems = PageProblems(page)
    return context, page


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as tests/artefacts/<name>.png and return its path."""
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now.

    Evaluated through the DevTools protocol, which the page's CSP does not govern: the page
    under test keeps its real policy."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]
