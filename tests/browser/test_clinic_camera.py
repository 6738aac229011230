"""The clinic PC's camera in Chromium on Linux, which has no BarcodeDetector (nor has Chrome on
Windows): Chromium's fake camera films the check-in QR code a couple's phone shows, the page
reads it with the vendored jsQR and checks the couple in. A QR code that is not a check-in
code is said to be one; 关闭摄像头 switches the camera off; a camera that is missing or
refused is explained in Chinese next to the code box."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.console_pages import no_axe_violations
from tests.browser.fake_camera import write_qr_video
from tests.browser.test_clinic_day import _signed_in
from tests.console.clinic_data import ClinicDay
from wxapp.services.screening.bookings import CHECKIN_QR_PREFIX

# Every track the page's camera hands out, so that a test can see it switched off.
RECORD_TRACKS = """
(() => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  window.cameraTracks = [];
  navigator.mediaDevices.getUserMedia = (constraints) => original(constraints).then((s) => {
    window.cameraTracks.push(...s.getTracks());
    return s;
  });
})();
"""
# A camera that fails as the test says (window.cameraError: a DOMException's name).
FAILING_CAMERA = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("test", window.cameraError || "NotAllowedError"));
"""


@pytest.fixture
def console(app):
    from tests.console.conftest import Console

    return Console(app)


def _decoder_requests(page) -> list[str]:
    loaded: list[str] = []
    page.on("request", lambda request: request.url.endswith("/console/jsQR.js")
            and loaded.append(request.url))
    return loaded


def test_the_camera_reads_a_couples_check_in_code_and_checks_them_in(
        app, live_server, console, camera_page, tmp_path):
    day = ClinicDay(app)
    video = write_qr_video(tmp_path / "check-in.y4m", CHECKIN_QR_PREFIX + day.code(1))
    page = camera_page(video)
    loaded = _decoder_requests(page)
    _signed_in(page, console, "clinic")

    page.goto(live_server.url("/console/clinic"))
    assert page.evaluate("'BarcodeDetector' in window") is False
    assert loaded == []  # fetched on the first click only
    page.get_by_role("button", name="用摄像头扫码").click()
    page.wait_for_selector(".message-success")
    assert "签到成功" in page.inner_text(".messages")
    assert len(loaded) == 1
    assert page.locator(f"#booking-{day.booking_ids[1]}").get_attribute("data-status") == \
        "checked_in"
    assert day.status(1) == "checked_in" and day.status(0) == "scheduled"
    assert day.audits("booking.check_in") == 1
    # The camera is off again and the box ready for a typed code or a scanner.
    assert page.locator("#camera").is_hidden()
    assert page.evaluate("document.activeElement.id") == "checkin-code"
    screenshot(page, "clinic-camera-checked-in-1280")
    no_axe_violations(page)


def test_another_qr_code_is_named_and_the_camera_switches_off(
        app, live_server, console, camera_page, tmp_path):
    day = ClinicDay(app)
    video = write_qr_video(tmp_path / "other.y4m", "https://example.com/not-a-check-in")
    page = camera_page(video)
    page.add_init_script(RECORD_TRACKS)
    _signed_in(page, console, "clinic")

    page.goto(live_server.url("/console/clinic"))
    page.get_by_role("button", name="用摄像头扫码").click()
    page.locator("#camera-status", has_text="这不是签到二维码").wait_for()
    assert page.evaluate("window.cameraTracks.map(t => t.readyState)") == ["live"]
    assert page.get_attribute("#camera", "data-decoder") == "jsqr"
    assert page.get_by_role("button", name="用摄像头扫码").is_hidden()
    screenshot(page, "clinic-camera-other-code-1280")
    no_axe_violations(page)

    page.get_by_role("button", name="关闭摄像头").click()
    assert page.evaluate("window.cameraTracks.map(t => t.readyState)") == ["ended"]
    assert page.locator("#camera").is_hidden()
    assert page.get_by_role("button", name="用摄像头扫码").is_visible()
    assert [day.status(n) for n in range(3)] == ["scheduled"] * 3


@pytest.mark.parametrize(("error", "said"), [
    ("NotAllowedError", "浏览器没有允许使用摄像头"),
    ("NotFoundError", "没有找到摄像头"),
    ("NotReadableError", "摄像头正被其他程序占用"),
])
def test_a_missing_or_refused_camera_is_explained(app, live_server, console, desktop_page,
                                                 error, said):
    ClinicDay(app)
    page = desktop_page
    page.add_init_script(FAILING_CAMERA)
    _signed_in(page, console, "clinic")
    page.goto(live_server.url("/console/clinic"))
    page.evaluate(f"window.cameraError = {error!r}")
    page.get_by_role("button", name="用摄像头扫码").click()
    page.wait_for_selector("#camera-problem:not([hidden])")
    assert page.inner_text("#camera-problem").startswith(said)
    assert page.locator("#camera").is_hidden()
    assert page.get_by_role("button", name="用摄像头扫码").is_visible()
    assert page.evaluate("document.activeElement.id") == "checkin-code"
    if error == "NotAllowedError":
        screenshot(page, "clinic-camera-refused-1280")
        no_axe_violations(page)
