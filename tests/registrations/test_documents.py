"""Uploads: checked by content, stored encrypted outside the web root, readable only by the
owner and the reviewing staff."""
from __future__ import annotations

import io
from pathlib import Path

from tests.helpers import error_code

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _upload(client, headers, kind, content, name="photo.jpg"):
    return client.post("/api/v1/me/uploads", headers=headers, content_type="multipart/form-data",
                       data={"kind": kind, "file": (io.BytesIO(content), name)})


def test_upload_attach_and_read_back(client, resident, form, staff, app):
    me = resident()
    ids = {}
    for kind, content in (("mother_id_card", PNG), ("father_id_card", PNG),
                          ("hukou_page", PDF)):
        response = _upload(client, me, kind, content)
        assert response.status_code == 201, response.get_json()
        ids[kind] = response.get_json()["id"]
    assert _upload(client, me, "hukou_page", PDF).get_json()["content_type"] == "application/pdf"
    reg = client.post("/api/v1/me/registrations", headers=me,
                      json=form(documents=list(ids.values()), promised_documents=[])).get_json()
    assert {d["kind"] for d in reg["documents"]} == set(ids)

    own = client.get(f"/api/v1/me/uploads/{ids['hukou_page']}", headers=me)
    assert own.data == PDF and own.headers["Cache-Control"] == "no-store"
    seen = client.get(f"/api/v1/staff/registrations/{reg['id']}/documents/{ids['hukou_page']}",
                      headers=staff())
    assert seen.status_code == 200 and seen.data == PDF

    stored = Path(app.config["WXAPP"].upload_dir)
    assert PDF not in b"".join(p.read_bytes() for p in stored.iterdir())


def test_renamed_executable_is_refused(client, resident):
    response = _upload(client, resident(), "hukou_page", EXE, name="hukou.jpg")
    assert response.status_code == 422 and error_code(response) == "upload.type"


def test_oversized_and_empty_files_are_refused(client, resident, app):
    me = resident()
    big = PNG + b"\x00" * app.config["WXAPP"].upload_max_bytes
    assert error_code(_upload(client, me, "hukou_page", big)) == "upload.too_large"
    assert error_code(_upload(client, me, "hukou_page", b"")) == "upload.empty"


def test_another_resident_cannot_read_or_use_my_upload(client, resident, form, sim):
    me = resident()
    upload_id = _upload(client, me, "hukou_page", PNG).get_json()["id"]
    thief = resident("thief")
    assert client.get(f"/api/v1/me/uploads/{upload_id}", headers=thief).status_code == 404
    response = client.post("/api/v1/me/registrations", headers=thief,
                           json=form(documents=[upload_id]))
    assert response.status_code == 422 and "documents" in response.get_json()["error"]["details"]


def test_missing_documents_are_named_and_a_promise_covers_them(client, resident, form):
    me = resident()
    response = client.post("/api/v1/me/registrations", headers=me,
                           json=form(promised_documents=["mother_id_card"]))
    details = response.get_json()["error"]["details"]
    assert "男方身份证" in details["documents"] and "户口簿" in details["documents"]
    assert "承诺" in details["documents"]


def test_photo_sent_with_a_correction_is_in_the_reviewers_case(client, resident, form, staff):
    me = resident()
    reg_id = client.post("/api/v1/me/registrations", headers=me, json=form()).get_json()["id"]
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    photo = _upload(client, me, "father_id_card", PNG).get_json()["id"]
    corrected = form(documents=[photo])
    corrected["father"]["name"] = "李刚"
    asked = client.post(f"/api/v1/me/registrations/{reg_id}/correction", headers=me,
                        json=corrected)
    assert asked.status_code == 200, asked.get_json()
    assert [d["id"] for d in asked.get_json()["documents"]] == [photo]
    seen = client.get(f"/api/v1/staff/registrations/{reg_id}/documents/{photo}",
                      headers=staff())
    assert seen.status_code == 200 and seen.data == PNG


def test_refused_correction_attaches_nothing(client, resident, form, staff):
    me = resident()
    reg_id = client.post("/api/v1/me/registrations", headers=me, json=form()).get_json()["id"]
    client.post(f"/api/v1/staff/registrations/{reg_id}/approve", headers=staff())
    photo = _upload(client, me, "father_id_card", PNG).get_json()["id"]
    wrong = form(documents=[photo])
    wrong["mother"]["id_number"] = wrong["father"]["id_number"]
    refused = client.post(f"/api/v1/me/registrations/{reg_id}/correction", headers=me,
                          json=wrong)
    assert refused.status_code == 422
    after = client.get(f"/api/v1/me/registrations/{reg_id}", headers=me).get_json()
    assert after["status"] == "approved" and after["documents"] == []
