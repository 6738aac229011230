"""Birth registration in the resident pages, end to end in Chromium at 360 x 640: consent,
the form and its draft, a camera photo and signed promises, a refused ID number, a double
tap that files once, a return fixed, the certificate."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.h5.conftest import assert_accessible, assert_elderly_friendly, shoot
from tests.factories import female_id, male_id
from tests.security.test_authz_matrix import PNG
from wxapp.china_time import china_today


@pytest.fixture
def demo_township(app):
    from wxapp.extensions import db
    from wxapp.models import Village
    from wxapp.seeding.seed import seed_demo
    from wxapp.transactions import commit

    with app.app_context():
        seed_demo()
        commit()
        return {v.name: (v.id, v.code) for v in db.session.scalars(select(Village))}


@pytest.fixture
def reviewer(client, demo_township):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD

    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-reviewer", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def registrations_of(client, token: str) -> list[dict]:
    return client.get("/api/v1/me/registrations",
                      headers={"Authorization": f"Bearer {token}"}).get_json()


def test_resident_registers_a_birth_from_consent_to_certificate(page, token_for, client,
                                                                demo_township, reviewer):
    token = token_for("h5-wangfang")
    page.goto(f"/h5/registration#token={token}&expires_in=7200")

    # The consent text first; the token has left the address bar.
    consent = page.locator("#view-consent")
    consent.wait_for()
    assert "#token" not in page.url
    assert "身份证号码" in page.locator("#consent-text").inner_text()
    assert_elderly_friendly(page)
    shoot(page, "registration-1-consent")
    page.get_by_role("button", name="我已看过，同意").click()

    form = page.locator("#view-form")
    form.wait_for()
    assert page.locator("#progress").inner_text().startswith("还差")
    page.get_by_label("我是女方（妈妈）").check()
    page.locator("#mother-name").fill("王芳")
    page.locator("#mother-id").fill(female_id())
    page.locator("#mother-phone").fill("13812345678")
    page.locator("#father-name").fill("李强")
    # The woman's number typed for the man too: the API refuses, its words shown at the field.
    page.locator("#father-id").fill(female_id("19960101"))
    page.get_by_label("已经怀孕了").check()
    page.locator("#when").fill((china_today() + timedelta(days=120)).isoformat())
    village_id, village_code = demo_township["东湖村"]
    page.locator("#village").select_option(str(village_id))
    assert page.locator("#mother-hukou").input_value() == village_code[:6]

    progress = page.locator("#progress")
    assert "女方身份证照片" in progress.inner_text()
    # A photo from the phone's camera for her ID card; promises for the other two.
    camera = page.locator("#file-mother_id_card")
    assert camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("capture") is not None
    camera.set_input_files({"name": "id.png", "mimeType": "image/png", "buffer": PNG})
    page.locator("#state-mother_id_card").filter(has_text="已上传").wait_for()
    assert progress.inner_text() == "还差男方身份证照片、户口簿（户主页和本人页）照片。"
    page.locator("#promise-father_id_card").check()
    page.locator("#promise-hukou_page").check()
    page.locator("#progress").filter(has_text="都填好了").wait_for()
    assert_elderly_friendly(page)

    # The draft is on the server: a reload (same tab, same sign-in) brings everything back.
    page.locator("#draft-state").filter(has_text="已自动保存").wait_for()
    page.reload()
    form.wait_for()
    assert page.locator("#mother-name").input_value() == "王芳"
    assert "已上传" in page.locator("#state-mother_id_card").inner_text()
    page.locator("#progress").filter(has_text="都填好了").wait_for()

    page.get_by_role("button", name="提交登记").click()
    page.locator("#alert").filter(has_text="填写的信息有误").wait_for()
    assert "显示为女性" in page.locator('[data-problem="father.id_number"]').inner_text()
    assert page.locator("#father-id").get_attribute("aria-invalid") == "true"
    assert registrations_of(client, token) == []
    shoot(page, "registration-2-refused")

    page.locator("#father-id").fill(male_id())
    # Two quick taps file one registration.
    page.get_by_role("button", name="提交登记").dblclick()
    status = page.locator("#status-sentence")
    status.filter(has_text="工作人员正在审核").wait_for()
    assert len(registrations_of(client, token)) == 1
    assert_elderly_friendly(page)
    shoot(page, "registration-3-submitted")

    # Returned by the reviewer: she reads why, fixes it, sends it again.
    reg_id = registrations_of(client, token)[0]["id"]
    returned = client.post(f"/api/v1/staff/registrations/{reg_id}/return", headers=reviewer,
                           json={"items": [{"field": "mother.phone",
                                            "message": "这个号码打不通，请换一个。"}]})
    assert returned.status_code == 200, returned.get_json()
    page.reload()
    status.filter(has_text="退回来了").wait_for()
    assert "女方手机号码：这个号码打不通" in page.locator("#return-list").inner_text()
    shoot(page, "registration-4-returned")
    page.get_by_role("button", name="按要求修改，再交一次").click()
    assert "打不通" in page.locator('[data-problem="mother.phone"]').inner_text()
    page.locator("#mother-phone").fill("13900001111")
    page.get_by_role("button", name="改好了，再交一次").click()
    status.filter(has_text="工作人员正在审核").wait_for()
    assert registrations_of(client, token)[0]["mother"]["phone"] == "13900001111"

    # Approved: the certificate is hers to save.
    assert client.post(f"/api/v1/staff/registrations/{reg_id}/approve",
                       headers=reviewer).status_code == 200
    page.reload()
    status.filter(has_text="已经登记好了").wait_for()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "registration-5-certificate")
    with page.expect_download() as download:
        page.get_by_role("button", name="保存登记凭证（PDF）").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
