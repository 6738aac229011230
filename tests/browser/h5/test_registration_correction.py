"""Correcting a registration after approval, in Chromium at 360 x 640: from her registered
record, "信息有误，申请更正" opens the form filled with what is registered; a wrong ID number is
refused at its field with nothing filed; a double tap files one correction; a correction whose
answer was lost is not filed twice; she reads what happens next, then the reviewer's decision."""
from __future__ import annotations

import pytest

from tests.browser.h5.conftest import assert_accessible, assert_elderly_friendly, shoot
from tests.factories import male_id, registration_form
from tests.security.test_authz_matrix import PNG
from wxapp.services.registration.consent import CONSENT_TEXT_VERSION


@pytest.fixture
def villages(app):
    from sqlalchemy import select

    from wxapp.extensions import db
    from wxapp.models import Village
    from wxapp.seeding.seed import seed_demo
    from wxapp.transactions import commit

    with app.app_context():
        seed_demo()
        commit()
        return {v.name: v.id for v in db.session.scalars(select(Village))}


@pytest.fixture
def reviewer(client, villages):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-reviewer", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def registered(client, token_for, villages, reviewer):
    """A resident whose registration the reviewer has approved: (token, registration id)."""
    token = token_for("h5-correction")
    mine = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/me/consents", headers=mine,
                       json={"text_version": CONSENT_TEXT_VERSION}).status_code == 201
    filed = client.post("/api/v1/me/registrations", headers=mine,
                        json=registration_form(villages["东湖村"], existing_children=[
                            {"birth_date": "2021-08-08", "relation": "both"},
                            # The form cannot show this; a correction must not lose it.
                            {"birth_date": "2019-03-03", "relation": "both", "alive": False}]))
    assert filed.status_code == 201, filed.get_json()
    reg_id = filed.get_json()["id"]
    assert client.post(f"/api/v1/staff/registrations/{reg_id}/approve",
                       headers=reviewer).status_code == 200
    return token, reg_id


def registration(client, token, reg_id):
    return client.get(f"/api/v1/me/registrations/{reg_id}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()


def corrections_asked(reg):
    return [e for e in reg["history"] if e["to_status"] == "correction_requested"]


def test_resident_asks_to_correct_her_registration_and_reads_the_decision(
        page, client, registered, reviewer):
    token, reg_id = registered
    page.goto(f"/h5/registration#token={token}")
    status = page.locator("#status-sentence")
    status.filter(has_text="已经登记好了").wait_for()
    page.get_by_role("button", name="信息有误，申请更正").click()

    form = page.locator("#view-form")
    form.wait_for()
    assert page.locator("#form-title").inner_text() == "申请更正登记信息"
    # Filled with what is registered; she is told what she may change and what to photograph.
    assert page.locator("#father-name").input_value() == "李强"
    help_text = page.locator("#correction-help").inner_text()
    assert "身份证" in help_text and "审核期间原来的登记和凭证照样有效" in help_text
    assert_elderly_friendly(page)
    shoot(page, "correction-1-form")

    # A man's ID number for the mother: refused next to the field, nothing filed.
    page.locator("#mother-id").fill(male_id())
    page.get_by_role("button", name="提交更正申请").click()
    page.locator("#alert").filter(has_text="填写的信息有误").wait_for()
    assert "显示为男性" in page.locator('[data-problem="mother.id_number"]').inner_text()
    reg = registration(client, token, reg_id)
    assert reg["status"] == "approved" and corrections_asked(reg) == []
    shoot(page, "correction-2-refused")

    page.locator("#mother-id").fill(reg["mother"]["id_number"])
    page.locator("#father-name").fill("李刚")
    # The changed name is backed by a new photo of his ID card, which goes with the request.
    page.locator("#file-father_id_card").set_input_files(
        {"name": "id.png", "mimeType": "image/png", "buffer": PNG})
    page.locator("#state-father_id_card").filter(has_text="已上传").wait_for()
    page.get_by_role("button", name="提交更正申请").dblclick()
    status.filter(has_text="更正正在审核").wait_for()
    assert page.locator("#correction-next").is_visible()
    assert "旧凭证作废" in page.locator("#correction-next").inner_text()
    reg = registration(client, token, reg_id)
    assert reg["status"] == "correction_requested" and len(corrections_asked(reg)) == 1
    assert [d["kind"] for d in reg["documents"]] == ["father_id_card"]
    # Registered all along: the certificate is still hers while the correction is reviewed.
    assert page.get_by_role("button", name="保存登记凭证（PDF）").is_visible()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "correction-3-under-review")

    decided = client.post(f"/api/v1/staff/registrations/{reg_id}/correction", headers=reviewer,
                          json={"accept": True})
    assert decided.status_code == 200, decided.get_json()
    page.reload()
    status.filter(has_text="已经登记好了").wait_for()
    assert "更正已通过" in page.locator("#correction-decided").inner_text()
    reg = registration(client, token, reg_id)
    assert reg["father"]["name"] == "李刚"
    assert reg["child_order"] == 2
    assert [c["alive"] for c in reg["existing_children"]] == [True, False]
    shoot(page, "correction-4-decided")


def test_a_correction_whose_answer_was_lost_is_not_filed_twice(page, client, registered):
    token, reg_id = registered
    page.goto(f"/h5/registration#token={token}")
    page.locator("#status-sentence").filter(has_text="已经登记好了").wait_for()
    page.get_by_role("button", name="信息有误，申请更正").click()
    page.locator("#father-name").fill("李刚")

    # The server files it, but the answer never reaches the phone (a slow, dropped network).
    lost = []

    def drop_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort("failed")
        else:
            route.continue_()

    page.route("**/api/v1/me/registrations/*/correction", drop_answer)
    page.get_by_role("button", name="提交更正申请").click()
    page.locator("#alert").filter(has_text="网络不太好").wait_for()
    assert lost == [200]
    # She taps again: the first one went through, and that is what she is shown.
    page.get_by_role("button", name="提交更正申请").click()
    page.locator("#status-sentence").filter(has_text="更正正在审核").wait_for()
    assert page.locator("#alert").is_hidden()
    assert len(corrections_asked(registration(client, token, reg_id))) == 1
