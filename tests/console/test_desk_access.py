"""Who may open which page of the registration desk and send which decision: every role
against every page and action, and a worker of another village finds nothing (404, never the
other village's data)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.console.desk_data import make_desk
from tests.helpers import login
from wxapp.models import AuditLog, BirthRegistration
from wxapp.services.registration.applications import CONSENT_TEXT_VERSION

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
ROLES = ("township_admin", "reviewer", "village_worker", "clinic")
READ = {"township_admin": 200, "reviewer": 200, "village_worker": 200, "clinic": 403}
DECIDE = {"township_admin": 302, "reviewer": 302, "village_worker": 403, "clinic": 403}


@pytest.fixture
def desk(app):
    return make_desk(app)


@pytest.fixture
def uploaded_case(client, sim, desk):
    """A resident's own submission in 东湖村 with her ID card photo uploaded."""
    from tests.factories import registration_form

    me = login(client, sim, "desk-resident")
    client.post("/api/v1/me/consents", headers=me, json={"text_version": CONSENT_TEXT_VERSION})
    upload = client.post("/api/v1/me/uploads", headers=me, content_type="multipart/form-data",
                         data={"kind": "mother_id_card", "file": (io.BytesIO(PNG), "id.png")})
    document_id = upload.get_json()["id"]
    reg = client.post("/api/v1/me/registrations", headers=me, json=registration_form(
        desk.villages["东湖村"], documents=[document_id],
        promised_documents=["father_id_card", "hukou_page"]))
    assert reg.status_code == 201, reg.get_json()
    return reg.get_json()["id"], document_id


def _pages(case_id, document_id, registered_id):
    base = "/console/registrations"
    return {"queue": f"{base}", "due": f"{base}?view=due", "open": f"{base}?view=open",
            "case": f"{base}/{case_id}", "document": f"{base}/{case_id}/documents/{document_id}",
            "filing": f"{base}/new", "certificate": f"{base}/{registered_id}/certificate",
            "certificate_pdf": f"{base}/{registered_id}/certificate.pdf"}


@pytest.mark.parametrize("page", ["queue", "due", "open", "case", "document", "filing",
                                  "certificate", "certificate_pdf"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_page(console, desk, uploaded_case, role, page):
    registered = desk.file()
    desk.approve(registered)
    client, _ = console.sign_in(role)
    response = client.get(_pages(*uploaded_case, registered.id)[page])
    assert response.status_code == READ[role], response.data[:500]
    if response.status_code == 403:
        assert "没有此项权限" in response.get_data(as_text=True) and PNG not in response.data
    if page == "document" and response.status_code == 200:
        assert response.data == PNG and response.headers["Cache-Control"] == "no-store"


def _actions(case_id):
    base = f"/console/registrations/{case_id}"
    return {"approve": (f"{base}/approve", {}),
            "return": (f"{base}/return", {"items": ["mother.name"]}),
            "reject": (f"{base}/reject", {"reason": "不符合条件"}),
            "correction": (f"{base}/correction", {"decision": "accept"}),
            "batch": ("/console/registrations/batch-approve", {"ids": [str(case_id)]})}


@pytest.mark.parametrize("action", ["approve", "return", "reject", "correction", "batch"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_decision(console, desk, role, action):
    case = desk.file()
    client, _ = console.sign_in(role)
    path, data = _actions(case.id)[action]
    response = console.post(client, path, data)
    assert response.status_code == DECIDE[role]
    status = desk.reload(case).status
    if DECIDE[role] == 403:
        assert status == "submitted"
    else:
        expected = {"approve": "approved", "return": "returned", "reject": "rejected",
                    "correction": "submitted", "batch": "approved"}[action]
        assert status == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_filing_on_behalf(console, desk, role):
    from tests.console.test_desk_filing import filing_fields

    client, _ = console.sign_in(role)
    response = console.post(client, "/console/registrations/new",
                            filing_fields(desk.villages["东湖村"]))
    assert response.status_code == {"township_admin": 302, "reviewer": 302,
                                    "village_worker": 302, "clinic": 403}[role]
    filed = desk.scalars(select(BirthRegistration))
    assert len(filed) == (0 if role == "clinic" else 1)


@pytest.mark.parametrize("page", ["case", "document", "certificate", "certificate_pdf"])
def test_a_worker_of_another_village_gets_404_not_the_case(console, desk, uploaded_case,
                                                          page):
    registered = desk.file("东湖村")
    desk.approve(registered)
    client, _ = console.sign_in("village_worker", village="西岭村")
    response = client.get(_pages(*uploaded_case, registered.id)[page])
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    registered = desk.reload(registered)
    for secret in (registered.mother_name, registered.registration_number, "王芳",
                   registered.application_no):
        assert secret not in body
    assert PNG not in response.data
    queue = client.get("/console/registrations?view=all").get_data(as_text=True)
    assert "共 0 件" in queue


def test_a_worker_of_another_village_cannot_file_for_this_one(console, desk):
    from tests.console.test_desk_filing import filing_fields

    client, _ = console.sign_in("village_worker", village="西岭村")
    response = console.post(client, "/console/registrations/new",
                            filing_fields(desk.villages["东湖村"]))
    assert response.status_code == 403
    assert "只能为本村（社区）居民代办" in response.get_data(as_text=True)
    assert desk.scalars(select(BirthRegistration)) == []


def test_signed_out_browser_is_sent_to_sign_in(client, desk):
    case = desk.file()
    for path in ("/console/registrations", f"/console/registrations/{case.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    response = client.post(f"/console/registrations/{case.id}/approve")
    assert response.status_code in (302, 400)
    assert desk.reload(case).status == "submitted"


def test_case_and_document_reads_are_audited_like_the_staff_api(console, desk,
                                                                uploaded_case):
    case_id, document_id = uploaded_case
    client, staff = console.sign_in("reviewer")
    page = client.get(f"/console/registrations/{case_id}")
    assert page.status_code == 200
    # ID numbers masked; the full number only through the audited reveal, where it exists.
    mother = desk.reload(case_id).mother_id_number
    body = page.get_data(as_text=True)
    assert f"{mother[:4]}********{mother[-4:]}" in body and mother not in body
    if "console_pii.reveal" in console.app.view_functions:
        assert "显示完整号码" in body
    assert client.get(f"/console/registrations/{case_id}/documents/{document_id}"
                      ).status_code == 200
    rows = desk.scalars(select(AuditLog).filter_by(actor_type="staff", actor_id=str(staff.id)))
    actions = [(r.action, r.target_id) for r in rows]
    assert ("registration.read", str(case_id)) in actions
    assert ("document.read", str(document_id)) in actions
    assert ("registration.list", None) not in actions
    client.get("/console/registrations?view=all")
    assert desk.scalars(select(AuditLog).filter_by(actor_id=str(staff.id),
                                                   action="registration.list")) != []


def test_filters_swap_only_the_results_for_htmx_and_a_whole_page_without_it(console, desk):
    desk.file("东湖村")
    desk.file("西岭村")
    client, _ = console.sign_in("reviewer")
    path = f"/console/registrations?view=all&village={desk.villages['西岭村']}"
    fragment = client.get(path, headers={"HX-Request": "true", "HX-Target": "desk-results"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert 'id="desk-results"' in text
    assert "共 1 件" in text and "西岭村" in text
    whole = client.get(path).get_data(as_text=True)
    assert "<html" in whole and 'id="desk-results"' in whole and "共 1 件" in whole


def test_bad_filter_values_are_ignored_and_said(console, desk):
    desk.file()
    client, _ = console.sign_in("reviewer")
    response = client.get("/console/registrations?view=nope&village=abc&from=2026-13-40"
                          "&child_order=9&status=lost&page=-1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "共 1 件" in body
    for said in ("没有这个视图", "“村/社区”的值不正确", "“提交日期从”应为 年-月-日",
                 "“孩次”的值不正确", "“状态”的值不正确"):
        assert said in body
