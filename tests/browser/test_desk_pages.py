"""The registration desk in Chromium, at an office PC's width and a village worker's phone:
find a case by its full ID number, return it with two items, approve another, batch-approve
three, print a certificate; screenshots of the queue and the case, and axe on each page."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.console_pages import no_axe_violations, signed_in
from tests.console.desk_data import make_desk, mother_id
from tests.factories import registration_form
from tests.helpers import login
from wxapp.models import BirthRegistration
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION


def _card_photo() -> bytes:
    """An invented, ID-card-sized picture (no real card), for the documents column."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (856, 540), (226, 236, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, 832, 516), outline=(40, 70, 110), width=6)
    draw.rectangle((600, 90, 790, 330), fill=(180, 196, 214))
    for row in range(5):
        draw.rectangle((60, 100 + row * 70, 60 + 300 + 40 * (row % 3), 130 + row * 70),
                       fill=(90, 110, 140))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def console(app):
    # The console tests' sign-in helper (tests/console/conftest.py), for the browser's cookie.
    from tests.console.conftest import Console

    return Console(app)


@pytest.fixture
def desk(app):
    """Demo-like cases: waiting, one with a conflict, returned, registered, in three
    villages, and a resident's own submission with her ID card photo."""
    desk = make_desk(app)
    for village, children, promised in (("东湖村", 0, False), ("西岭村", 1, False),
                                        ("南桥社区", 2, True), ("东湖村", 1, False),
                                        ("西岭村", 0, False), ("东湖村", 0, False),
                                        ("南桥社区", 1, False)):
        desk.file(village, children=children, promised=promised)
    desk.return_(desk.reload(desk.cases[3]))
    desk.approve(desk.reload(desk.cases[4]))
    return desk


@pytest.fixture
def photo_case(client, sim, desk):
    me = login(client, sim, "browser-resident")
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    upload = client.post("/api/v1/me/uploads", headers=me, content_type="multipart/form-data",
                         data={"kind": "mother_id_card", "file": (io.BytesIO(_card_photo()),
                                                                  "card.png")})
    response = client.post("/api/v1/me/registrations", headers=me, json=registration_form(
        desk.villages["东湖村"], documents=[upload.get_json()["id"]],
        promised_documents=["father_id_card", "hukou_page"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]




@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_reviewer_works_the_desk(request, console, live_server, desk, photo_case, width):
    page = request.getfixturevalue(f"{width}_page")
    signed_in(page, console, live_server, "reviewer")
    suffix = "1280" if width == "desktop" else "360"

    page.goto(live_server.url("/console/registrations?view=all"))
    assert "共 8 件" in page.inner_text("#desk-results")
    screenshot(page, f"desk-queue-{suffix}")
    assert no_axe_violations(page)

    # Find a case by the mother's full ID number: shown masked.
    number = mother_id(1)
    page.fill("#q", number)
    page.click("button:has-text('查找')")
    page.wait_for_selector("text=按身份证号码查找")
    results = page.inner_text("#desk-results")
    assert "共 1 件" in results and number not in results
    assert f"{number[:4]}********{number[-4:]}" in results

    # The resident's case: her photo beside the form, the conflict in words; return it.
    page.goto(live_server.url(f"/console/registrations/{photo_case}"))
    assert page.locator("img[alt^='女方身份证']").evaluate("i => i.naturalWidth") == 856
    assert "材料承诺后补" in page.inner_text("main")
    screenshot(page, f"desk-case-{suffix}")
    assert no_axe_violations(page)
    page.get_by_label("女方姓名", exact=True).check()
    page.get_by_label("户口簿", exact=True).check()
    page.click("button:has-text('退回并通知申请人')")
    page.wait_for_load_state()
    assert "一次性通知申请人" in page.inner_text(".messages")
    assert "已退回待修改" in page.inner_text("main")

    # Approve a waiting case; then batch-approve three (one has a conflict and is skipped).
    first = desk.reload(desk.cases[0])
    page.goto(live_server.url(f"/console/registrations/{first.id}"))
    page.click("button:has-text('准予登记')")
    page.wait_for_load_state()
    assert "已准予登记" in page.inner_text(".messages")
    page.goto(live_server.url("/console/registrations?view=all"))
    picked = [desk.reload(desk.cases[n]) for n in (1, 2, 5)]
    for reg in picked:
        page.check(f"#pick-{reg.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('批量准予登记所选申请')")
    page.wait_for_load_state()
    messages = page.inner_text(".messages")
    assert "已批量准予登记 2 件" in messages and f"{picked[1].application_no}未办理" in messages

    # Print the certificate of the case approved above.
    page.goto(live_server.url(f"/console/registrations/{first.id}"))
    page.click("text=打印登记凭证")
    page.wait_for_load_state()
    assert "生育服务登记凭证" in page.inner_text("main")
    assert page.locator("svg[aria-label='登记凭证核验二维码']").count() == 1
    screenshot(page, f"desk-certificate-{suffix}")
    assert no_axe_violations(page)
    page.problems.assert_none()
    statuses = desk.scalars(select(BirthRegistration.status).order_by(BirthRegistration.id))
    assert statuses.count("approved") == 4


def test_village_worker_on_her_phone(console, live_server, desk, phone_page):
    signed_in(phone_page, console, live_server, "village_worker")
    phone_page.goto(live_server.url("/console/registrations"))
    main = phone_page.inner_text("main")
    assert "本村待办" in main and "已退回待修改" in main
    assert "西岭村" not in phone_page.inner_text("#desk-results")
    screenshot(phone_page, "desk-queue-village-360")
    assert no_axe_violations(phone_page)
    phone_page.goto(live_server.url("/console/registrations/new"))
    screenshot(phone_page, "desk-filing-360")
    assert no_axe_violations(phone_page)
    # Nothing wider than the phone: the page scrolls down, not sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.problems.assert_none()
