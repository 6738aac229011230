"""A full ID or phone number on a console page: masked until a staff member asks for it, one
audited POST per field, only for records in her scope."""
from __future__ import annotations

import re

import pytest
from flask import g, render_template_string
from sqlalchemy import func, select

from tests.console import records
from wxapp.extensions import db
from wxapp.models import AuditLog
from wxapp.security.masking import mask_id_number, mask_phone
from wxapp.services.personal_data import REVEALED
from wxapp.transactions import commit

MACRO = ('{% from "console/_pii.html" import reveal %}'
         '{{ reveal(kind, record_id, field, masked) }}')


def _reveals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)).filter_by(action=REVEALED))


@pytest.fixture
def registration(app, console):
    """A birth registration of 东湖村 (the demo data seeded), as a plain dict."""
    console.make_staff("township_admin")  # seeds the demo township
    with app.app_context():
        reg = records.registration(records.village("东湖村"))
        commit()
        return {"id": reg.id, "mother_id_number": reg.mother_id_number,
                "mother_phone": reg.mother_phone, "father_id_number": reg.father_id_number}


def _macro_html(app, staff, kind, record_id, field, masked) -> str:
    with app.test_request_context("/console/registrations/1"), app.app_context():
        g.staff = db.session.merge(staff)
        return render_template_string(MACRO, kind=kind, record_id=record_id, field=field,
                                      masked=masked)


def test_the_macro_shows_the_masked_number_and_a_button_never_the_number(
        app, console, registration):
    _, reviewer = console.sign_in("reviewer")
    html = _macro_html(app, reviewer, "registration", registration["id"], "mother_id_number",
                       mask_id_number(registration["mother_id_number"]))
    assert registration["mother_id_number"] not in html
    assert mask_id_number(registration["mother_id_number"]) in html
    assert "显示完整号码" in html and 'name="csrf_token"' in html
    assert f'/console/reveal/registration/{registration["id"]}/mother_id_number' in html
    assert _reveals(app) == 0


def test_clinic_staff_get_the_masked_number_without_a_button(app, console, registration):
    _, doctor = console.sign_in("clinic")
    html = _macro_html(app, doctor, "registration", registration["id"], "mother_phone",
                       mask_phone(registration["mother_phone"]))
    assert mask_phone(registration["mother_phone"]) in html
    assert "显示完整号码" not in html and "<form" not in html


def test_htmx_reveal_swaps_in_the_number_and_writes_one_audit_row(app, console, registration):
    client, reviewer = console.sign_in("reviewer")
    path = f"/console/reveal/registration/{registration['id']}/mother_id_number"
    answer = console.post(client, path, htmx=True)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    html = answer.get_data(as_text=True)
    assert registration["mother_id_number"] in html
    assert f'id="pii-registration-{registration["id"]}-mother_id_number"' in html
    assert "<html" not in html  # a fragment, not a page
    assert answer.headers["Cache-Control"] == "no-store"
    with app.app_context():
        [row] = db.session.scalars(select(AuditLog).filter_by(action=REVEALED)).all()
        assert (row.actor_id, row.target_type, row.target_id, row.detail) == (
            str(reviewer.id), "birth_registration", str(registration["id"]),
            {"field": "mother_id_number"})


def test_without_js_the_form_post_shows_a_small_page_with_a_way_back(
        app, console, registration):
    client, _ = console.sign_in("township_admin")
    answer = console.post(client, f"/console/reveal/registration/{registration['id']}/mother_phone",
                          headers={"Referer": "http://localhost/console/registrations/7"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" in html
    assert registration["mother_phone"] in html and "女方手机号码" in html
    assert 'href="/console/registrations/7"' in html
    assert answer.headers["Cache-Control"] == "no-store"
    assert _reveals(app) == 1


def test_a_referer_elsewhere_is_not_offered_as_the_way_back(app, console, registration):
    client, _ = console.sign_in("township_admin")
    answer = console.post(client, f"/console/reveal/registration/{registration['id']}/mother_phone",
                          headers={"Referer": "https://evil.example/console/x"})
    assert "evil.example" not in answer.get_data(as_text=True)


def test_every_reveal_is_one_more_row(app, console, registration):
    client, _ = console.sign_in("village_worker")
    path = f"/console/reveal/registration/{registration['id']}/father_id_number"
    for expected in (1, 2, 3):
        assert console.post(client, path, htmx=True).status_code == 200
        assert _reveals(app) == expected


@pytest.mark.parametrize("role, status", [
    ("township_admin", 200), ("reviewer", 200), ("village_worker", 200), ("clinic", 403)])
def test_who_may_reveal_a_registrations_number(app, console, registration, role, status):
    client, _ = console.sign_in(role)
    answer = console.post(
        client, f"/console/reveal/registration/{registration['id']}/mother_id_number", htmx=True)
    assert answer.status_code == status
    assert (registration["mother_id_number"] in answer.get_data(as_text=True)) == (status == 200)
    assert _reveals(app) == (1 if status == 200 else 0)


def test_another_villages_record_is_not_found(app, console):
    client, _ = console.sign_in("village_worker", village="东湖村")
    with app.app_context():
        elsewhere = records.registration(records.village("西岭村"))
        couple = records.couple(records.village("西岭村"))
        commit()
        reg_id, couple_id, number = elsewhere.id, couple.id, elsewhere.mother_id_number
    answer = console.post(client, f"/console/reveal/registration/{reg_id}/mother_id_number")
    assert answer.status_code == 404
    assert number not in answer.get_data(as_text=True)
    assert "没有找到" in answer.get_data(as_text=True)
    assert console.post(client, f"/console/reveal/screening_couple/{couple_id}/wife_phone",
                        htmx=True).status_code == 404
    assert _reveals(app) == 0


def test_another_townships_record_is_not_found_for_the_office_either(app, console):
    client, _ = console.sign_in("township_admin")
    with app.app_context():
        reg = records.registration(records.other_township_village())
        commit()
        reg_id = reg.id
    assert console.post(client, f"/console/reveal/registration/{reg_id}/mother_phone"
                        ).status_code == 404
    assert _reveals(app) == 0


@pytest.mark.parametrize("path", ["/console/reveal/registration/{id}/mother_name",
                                  "/console/reveal/resident_profile/{id}/id_number",
                                  "/console/reveal/registration/999999/mother_phone"])
def test_unknown_fields_kinds_and_records_are_not_found(app, console, registration, path):
    client, _ = console.sign_in("township_admin")
    assert console.post(client, path.format(id=registration["id"])).status_code == 404
    assert _reveals(app) == 0


def test_a_couples_number_is_revealed_too(app, console):
    client, _ = console.sign_in("reviewer")
    with app.app_context():
        couple = records.couple(records.village("南桥社区"))
        commit()
        couple_id, number = couple.id, couple.husband_id_number
    answer = console.post(client, f"/console/reveal/screening_couple/{couple_id}/husband_id_number",
                          htmx=True)
    assert answer.status_code == 200 and number in answer.get_data(as_text=True)
    assert _reveals(app) == 1


def test_a_reveal_without_the_csrf_token_is_refused_and_not_logged(app, console, registration):
    client, _ = console.sign_in("reviewer")
    answer = client.post(f"/console/reveal/registration/{registration['id']}/mother_phone")
    assert answer.status_code == 400
    assert registration["mother_phone"] not in answer.get_data(as_text=True)
    assert _reveals(app) == 0


def test_signed_out_reveal_goes_to_sign_in(app, console, registration):
    client = console.client()
    token = console.csrf(client, "/console/login")
    answer = client.post(f"/console/reveal/registration/{registration['id']}/mother_phone",
                         data={"csrf_token": token})
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]
    assert _reveals(app) == 0


def test_a_revealed_number_never_reaches_the_audit_page(app, console, registration):
    client, _ = console.sign_in("township_admin")
    console.post(client, f"/console/reveal/registration/{registration['id']}/mother_id_number")
    page = client.get("/console/audit").get_data(as_text=True)
    assert "查看完整号码" in page and "女方身份证号码" in page
    assert registration["mother_id_number"] not in page
    assert not re.search(r"[0-9]{17}[0-9X]", page)
