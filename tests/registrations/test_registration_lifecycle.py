"""A couple registers a pregnancy from the phone; the office reviews; the certificate checks out."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import female_id, male_id
from tests.helpers import allow_messages, drain_jobs, error_code, login
from wxapp.extensions import db
from wxapp.models import AuditLog, BirthRegistration, StaffUser, Village

MINE = "/api/v1/me/registrations"


def _submit(client, headers, data, key=None):
    if key:
        headers = dict(headers, **{"Idempotency-Key": key})
    return client.post(MINE, headers=headers, json=data)


def test_submit_track_approve_and_verify(client, resident, form, staff, app_ctx):
    me = resident()
    response = _submit(client, me, form())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["application_no"].startswith("SY")
    assert body["child_order"] == 2 and body["due_at"]
    assert [h["to_status"] for h in body["history"]] == ["submitted"]

    queue = client.get("/api/v1/staff/registrations", headers=staff()).get_json()
    assert [r["id"] for r in queue] == [body["id"]]
    assert queue[0]["mother_name"] == "王*" and "****" in queue[0]["mother_id_number"]

    approved = client.post(f"/api/v1/staff/registrations/{body['id']}/approve", headers=staff())
    assert approved.status_code == 200
    mine = client.get(f"{MINE}/{body['id']}", headers=me).get_json()
    assert mine["status"] == "approved" and mine["registration_number"].startswith("DJ")
    code = mine["certificate_code"]

    page = client.get(f"/verify/{code}")
    assert page.status_code == 200 and "凭证有效" in page.get_data(as_text=True)
    assert "王*" in page.get_data(as_text=True) and "王芳" not in page.get_data(as_text=True)
    assert client.get(f"/verify/{code.lower()}", headers={"Accept": "application/json"}
                      ).get_json()["valid"] is True


def test_forged_certificate_code_is_not_found(client):
    response = client.get("/verify/ABCDEFGHJK")
    assert response.status_code == 404 and "未找到" in response.get_data(as_text=True)


def test_consent_is_required_before_the_first_submission(client, sim, form):
    headers = login(client, sim, "no-consent")
    response = _submit(client, headers, form())
    assert response.status_code == 403 and error_code(response) == "registration.consent_required"


@pytest.mark.parametrize("change,field", [
    ({"mother": {"name": "王芳", "id_number": female_id()[:17] + "0", "phone": "13812345678",
                 "hukou_region": "320102"}}, "mother.id_number"),
    ({"mother": {"name": "王芳", "id_number": male_id("19900101"), "phone": "13812345678",
                 "hukou_region": "320102"}}, "mother.id_number"),
    ({"father": {"name": "李强", "id_number": female_id("19900101"), "hukou_region": "320102"}},
     "father.id_number"),
    ({"expected_or_birth_date": "2020-01-01"}, "expected_or_birth_date"),
    ({"expected_or_birth_date": "2026-02-30"}, "expected_or_birth_date"),
    ({"filer_role": "grandma"}, "filer_role"),
    ({"father": {"name": "李强", "id_number": male_id("19930415"), "hukou_region": "320102",
                 "marital_status": "complicated"}}, "father.marital_status"),
    ({"village_id": 99999}, "village_id"),
    ({"existing_children": [{"birth_date": "2099-01-01", "relation": "both"}]},
     "existing_children.1"),
])
def test_bad_input_names_the_field_in_chinese_and_saves_nothing(client, resident, form, change,
                                                                field, app_ctx):
    response = _submit(client, resident(), form(**change))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "registration.invalid" and field in error["details"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["details"][field])
    assert db.session.scalar(select(func.count(BirthRegistration.id))) == 0


def test_the_same_person_cannot_be_both_spouses(client, resident, form):
    data = form()
    data["father"] = dict(data["mother"])
    response = _submit(client, resident(), data)
    assert response.status_code == 422


def test_child_order_counts_only_the_couples_own_living_children(client, resident, form):
    children = [
        {"birth_date": "2018-01-01", "relation": "both"},
        {"birth_date": "2019-01-01", "relation": "both", "alive": False},
        {"birth_date": "2016-01-01", "relation": "mother_only"},
        {"birth_date": "2020-01-01", "relation": "both", "adopted": True},
    ]
    body = _submit(client, resident(), form(existing_children=children)).get_json()
    assert body["child_order"] == 2


def test_second_open_registration_for_the_same_pregnancy_is_refused(client, resident, form):
    me = resident()
    assert _submit(client, me, form()).status_code == 201
    again = _submit(client, resident("husband"), form(filer_role="father"))
    assert again.status_code == 409 and error_code(again) == "registration.duplicate"


def test_retry_with_the_same_key_creates_one_registration(client, resident, form, app_ctx):
    me = resident()
    first = _submit(client, me, form(), key="submit-retry-001")
    second = _submit(client, me, form(), key="submit-retry-001")
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert db.session.scalar(select(func.count(BirthRegistration.id))) == 1


def test_another_resident_gets_404_for_my_registration(client, resident, form, sim):
    reg_id = _submit(client, resident(), form()).get_json()["id"]
    stranger = login(client, sim, "stranger")
    assert client.get(f"{MINE}/{reg_id}", headers=stranger).status_code == 404
    assert client.post(f"{MINE}/{reg_id}/withdraw", headers=stranger).status_code == 404
    assert client.get(MINE, headers=stranger).get_json() == []


def test_village_worker_of_another_village_gets_404(client, resident, form, staff, villages,
                                                     app_ctx):
    reg_id = _submit(client, resident(), form()).get_json()["id"]
    own = client.get(f"/api/v1/staff/registrations/{reg_id}", headers=staff("demo-village"))
    assert own.status_code == 200  # demo-village works for 东湖村
    worker = db.session.scalars(select(StaffUser).filter_by(username="demo-village")).one()
    worker.village_id = db.session.scalars(select(Village.id).filter_by(name="西岭村")).one()
    db.session.commit()
    other = staff("demo-village")
    assert client.get(f"/api/v1/staff/registrations/{reg_id}", headers=other).status_code == 404
    assert client.get("/api/v1/staff/registrations", headers=other).get_json() == []


def test_village_worker_cannot_decide(client, resident, form, staff):
    reg_id = _submit(client, resident(), form()).get_json()["id"]
    response = client.post(f"/api/v1/staff/registrations/{reg_id}/approve",
                           headers=staff("demo-village"))
    assert response.status_code == 403


def test_return_lists_every_item_and_resubmit_keeps_the_data(client, resident, form, staff):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    returned = client.post(f"/api/v1/staff/registrations/{reg_id}/return", headers=staff(),
                           json={"items": [
                               {"field": "mother.phone", "message": "手机号无法接通，请核对"},
                               {"field": "marriage_date", "message": "结婚日期与结婚证不一致"}]})
    assert returned.status_code == 200
    mine = client.get(f"{MINE}/{reg_id}", headers=me).get_json()
    assert mine["status"] == "returned" and len(mine["return_items"]) == 2
    assert mine["mother"]["name"] == "王芳"  # nothing entered is lost
    fixed = form(marriage_date="2020-06-01")
    fixed["mother"]["phone"] = "13812345679"
    resubmitted = client.put(f"{MINE}/{reg_id}", headers=me, json=fixed).get_json()
    assert resubmitted["status"] == "submitted" and resubmitted["return_items"] == []
    assert [h["to_status"] for h in resubmitted["history"]] == ["submitted", "returned",
                                                               "submitted"]


def test_illegal_transitions_are_refused(client, resident, form, staff):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    again = client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    assert again.status_code == 409 and error_code(again) == "registration.illegal_transition"
    assert client.post(f"{MINE}/{reg_id}/withdraw", headers=me).status_code == 409
    assert client.put(f"{MINE}/{reg_id}", headers=me, json=form()).status_code == 409


def test_withdraw_before_review(client, resident, form):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    assert client.post(f"{MINE}/{reg_id}/withdraw", headers=me).get_json()["status"] == "withdrawn"
    # Withdrawn: a new registration for the same pregnancy is allowed.
    assert _submit(client, me, form()).status_code == 201


def test_reject_needs_a_reason(client, resident, form, staff):
    reg_id = _submit(client, resident(), form()).get_json()["id"]
    assert client.post(f"/api/v1/staff/registrations/{reg_id}/reject", headers=staff(),
                       json={"reason": ""}).status_code == 422
    rejected = client.post(f"/api/v1/staff/registrations/{reg_id}/reject", headers=staff(),
                           json={"reason": "经核实信息不实"}).get_json()
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "经核实信息不实"


def test_staff_reads_are_audited(client, resident, form, staff, app_ctx):
    reg_id = _submit(client, resident(), form()).get_json()["id"]
    client.get(f"/api/v1/staff/registrations/{reg_id}", headers=staff())
    reads = db.session.scalars(select(AuditLog).filter_by(action="registration.read")).all()
    assert [r.target_id for r in reads] == [str(reg_id)]


def test_draft_is_kept_on_the_server_and_details_are_offered_again(client, resident, form):
    me = resident()
    client.put("/api/v1/me/registration-draft", headers=me,
               json={"data": {"mother": {"name": "王芳"}}})
    assert client.get("/api/v1/me/registration-draft", headers=me).get_json()["data"] == \
        {"mother": {"name": "王芳"}}
    _submit(client, me, form())
    assert client.get("/api/v1/me/registration-draft", headers=me).get_json()["data"] == {}
    prefill = client.get("/api/v1/me/registrations/prefill", headers=me).get_json()["data"]
    assert prefill["father"]["name"] == "李强" and prefill["mother"]["id_number"]


def test_decision_reaches_the_resident_through_wechat(client, resident, form, staff, sim):
    me = resident("notified")
    openid = allow_messages(client, sim, me, "notified", "TPL_REGISTRATION_RESULT")
    reg_id = _submit(client, me, form()).get_json()["id"]
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    drain_jobs()
    [sent] = sim.outbox(touser=openid)["messages"]
    assert sent["payload"]["data"]["phrase2"]["value"] == "已登记"


def test_certificate_pdf_for_the_owner_once_approved(client, resident, form, staff, sim):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    early = client.get(f"{MINE}/{reg_id}/certificate.pdf", headers=me)
    assert early.status_code == 409 and error_code(early) == "registration.not_approved"
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    mine = client.get(f"{MINE}/{reg_id}", headers=me).get_json()
    pdf = client.get(f"{MINE}/{reg_id}/certificate.pdf", headers=me)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert mine["registration_number"].encode() in pdf.data
    assert f"verify/{mine['certificate_code']}".encode() in pdf.data
    # With a Chinese TrueType font installed (CI installs one) its subset travels inside.
    if client.application.config["WXAPP_PDF_FONT_FILE"]:
        assert b"/FontFile2" in pdf.data and b"STSong-Light" not in pdf.data
    else:
        assert b"STSong-Light" in pdf.data
    stranger = login(client, sim, "pdf-stranger")
    assert client.get(f"{MINE}/{reg_id}/certificate.pdf", headers=stranger).status_code == 404


def test_correction_after_approval_is_reviewed_then_replaces_the_record(client, resident, form,
                                                                         staff):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    old_code = client.get(f"{MINE}/{reg_id}", headers=me).get_json()["certificate_code"]
    corrected = form(expected_or_birth_date=form()["expected_or_birth_date"][:8] + "28")
    corrected["father"]["name"] = "李刚"
    asked = client.post(f"{MINE}/{reg_id}/correction", headers=me, json=corrected).get_json()
    assert asked["status"] == "correction_requested" and asked["father"]["name"] == "李强"
    assert client.get(f"/verify/{old_code}").status_code == 200  # still registered meanwhile
    decided = client.post(f"/api/v1/staff/registrations/{reg_id}/correction", headers=staff(),
                          json={"accept": True}).get_json()
    assert decided["status"] == "approved" and decided["father"]["name"] == "李刚"
    assert decided["certificate_code"] != old_code
    assert client.get(f"/verify/{old_code}").status_code == 404
    again = client.post(f"/api/v1/staff/registrations/{reg_id}/correction", headers=staff(),
                        json={"accept": True})
    assert again.status_code == 409


def test_refused_correction_keeps_the_record(client, resident, form, staff):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    changed = form()
    changed["mother"]["name"] = "王芳芳"
    client.post(f"{MINE}/{reg_id}/correction", headers=me, json=changed)
    decided = client.post(f"/api/v1/staff/registrations/{reg_id}/correction", headers=staff(),
                          json={"accept": False, "note": "与户口簿不一致"}).get_json()
    assert decided["status"] == "approved" and decided["mother"]["name"] == "王芳"
    assert decided["history"][-1]["note"] == "与户口簿不一致"


def test_correction_before_approval_is_refused(client, resident, form):
    me = resident()
    reg_id = _submit(client, me, form()).get_json()["id"]
    response = client.post(f"{MINE}/{reg_id}/correction", headers=me, json=form())
    assert response.status_code == 409
