"""Personal data, the audit log and staff accounts in Chromium, at 1280 and 360 px: the
reveal button works under the console's CSP (htmx, no inline script), the pages have no
serious accessibility violations, and screenshots are kept as artefacts."""
from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.console_pages import carry_session
from tests.console import records
from tests.console.conftest import Console
from wxapp.console.access import console_required
from wxapp.extensions import db
from wxapp.models import AuditLog, BirthRegistration
from wxapp.security.masking import mask_id_number, mask_phone
from wxapp.services.personal_data import REVEALED
from wxapp.transactions import commit

# Stands in for the registration desk's case page: any page that shows numbers through the
# macro behaves the same.
CASE_PAGE = """{% extends "console/base.html" %}
{% from "console/_pii.html" import reveal %}
{% block title %}申请详情{% endblock %}
{% block content %}<dl class="facts">
<dt>女方身份证号码</dt>
<dd>{{ reveal("registration", reg.id, "mother_id_number", mask_id(reg.mother_id_number)) }}</dd>
<dt>女方手机号码</dt>
<dd>{{ reveal("registration", reg.id, "mother_phone", mask_phone(reg.mother_phone)) }}</dd>
</dl>{% endblock %}"""


def _add_case_page(app):
    @console_required()
    def case_page(registration_id):
        reg = db.session.get(BirthRegistration, registration_id)
        return render_template_string(CASE_PAGE, reg=reg, mask_id=mask_id_number,
                                      mask_phone=mask_phone)

    app.add_url_rule("/console/test-case/<int:registration_id>", "test_case_page", case_page)




def _reveals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)).filter_by(action=REVEALED))


@pytest.mark.parametrize("size", ["1280", "360"])
def test_a_reviewer_reveals_one_number_in_place(app, live_server, browser, request, size):
    page = request.getfixturevalue("desktop_page" if size == "1280" else "phone_page")
    _add_case_page(app)
    console = Console(app)
    client, _ = console.sign_in("reviewer")
    with app.app_context():
        reg = records.registration(records.village("东湖村"))
        commit()
        reg_id, id_number, phone = reg.id, reg.mother_id_number, reg.mother_phone
    carry_session(page, live_server, client)
    page.goto(live_server.url(f"/console/test-case/{reg_id}"))
    assert id_number not in page.content() and phone not in page.content()
    assert mask_id_number(id_number) in page.inner_text("main")
    assert axe_violations(page) == []
    screenshot(page, f"console-pii-masked-{size}")

    page.get_by_role("button", name="显示完整号码：女方身份证号码").click()
    page.locator(".pii-value").wait_for()
    assert page.locator(".pii-value").inner_text() == id_number
    assert phone not in page.content()  # the other field stays masked
    assert _reveals(app) == 1
    assert axe_violations(page) == []
    screenshot(page, f"console-pii-revealed-{size}")
    page.problems.assert_none()


@pytest.mark.parametrize("size", ["1280", "360"])
def test_the_offices_pages_render_and_pass_axe(app, live_server, browser, request, size):
    page = request.getfixturevalue("desktop_page" if size == "1280" else "phone_page")
    console = Console(app)
    client, admin = console.sign_in("township_admin")
    console.make_staff("village_worker", village="西岭村", display_name="周专干")
    console.make_staff("clinic", display_name="吴医生")
    with app.app_context():
        reg = records.registration(records.village("东湖村"))
        commit()
        reg_id = reg.id
    console.post(client, f"/console/reveal/registration/{reg_id}/mother_phone")
    carry_session(page, live_server, client)

    for path, name in [("/console/staff", "staff-list"), (f"/console/staff/{admin.id}",
                                                         "staff-account"),
                       ("/console/audit", "audit-log")]:
        page.goto(live_server.url(path))
        assert axe_violations(page) == [], path
        screenshot(page, f"console-{name}-{size}")

    page.goto(live_server.url("/console/staff/new"))
    page.get_by_label("用户名").fill("li.village")
    page.get_by_label("姓名").fill("李专干")
    page.get_by_label("角色").select_option("village_worker")
    page.get_by_role("button", name="添加").click()
    assert "村专干需要选择所在的村（社区）。" in page.inner_text("main")
    assert axe_violations(page) == []
    screenshot(page, f"console-staff-new-error-{size}")
    page.get_by_label("所在村（社区）").select_option(label="东湖村")
    page.get_by_role("button", name="添加").click()
    assert "只显示这一次" in page.inner_text("main")
    screenshot(page, f"console-staff-created-{size}")

    page.goto(live_server.url("/console/audit?date_from=2026-02-01&date_to=2026-01-01"))
    assert "结束日期不能早于开始日期。" in page.inner_text("main")
    assert axe_violations(page) == []
    screenshot(page, f"console-audit-error-{size}")
    page.problems.assert_none()
