"""Who reads a birth registration and its ID-card images: the township office and reviewers
for the township, village workers for their own village, clinic staff never."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.helpers import error_code
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD
from wxapp.services.accounts.passwords import hash_password
from wxapp.transactions import commit

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
API = "/api/v1/staff/registrations"


@pytest.fixture
def filed(client, resident, form, villages):
    """A registration of 东湖村 with the mother's ID card uploaded; and a worker of 西岭村."""
    db.session.add(StaffUser(username="xiling-worker", display_name="西岭村专干",
                             role="village_worker", township_id=db.session.scalars(
                                 select(StaffUser.township_id)).first(),
                             village_id=villages["西岭村"],
                             password_hash=hash_password(DEMO_STAFF_PASSWORD)))
    commit()
    me = resident()
    upload = client.post("/api/v1/me/uploads", headers=me, content_type="multipart/form-data",
                         data={"kind": "mother_id_card", "file": (io.BytesIO(PNG), "id.png")})
    document_id = upload.get_json()["id"]
    reg = client.post("/api/v1/me/registrations", headers=me, json=form(
        documents=[document_id], promised_documents=["father_id_card", "hukou_page"]))
    assert reg.status_code == 201, reg.get_json()
    return {"id": reg.get_json()["id"], "document": document_id}


def _reads(filed):
    return {"queue": API,
            "detail": f"{API}/{filed['id']}",
            "document": f"{API}/{filed['id']}/documents/{filed['document']}"}


@pytest.mark.parametrize("read", ["queue", "detail", "document"])
@pytest.mark.parametrize("username", ["demo-admin", "demo-reviewer", "demo-village"])
def test_office_reviewers_and_the_village_worker_read_it(client, staff, filed, username,
                                                         read):
    response = client.get(_reads(filed)[read], headers=staff(username))
    assert response.status_code == 200
    if read == "queue":
        assert [r["id"] for r in response.get_json()] == [filed["id"]]
    if read == "document":
        assert response.data == PNG


@pytest.mark.parametrize("read", ["queue", "detail", "document"])
def test_clinic_staff_read_no_birth_registration(client, staff, filed, read):
    response = client.get(_reads(filed)[read], headers=staff("demo-clinic"))
    assert response.status_code == 403 and error_code(response) == "auth.role_forbidden"
    assert PNG not in response.data
    assert db.session.scalars(select(AuditLog).where(
        AuditLog.action.in_(("registration.read", "document.read", "registration.list")),
        AuditLog.actor_id == str(db.session.scalars(select(StaffUser.id).filter_by(
            username="demo-clinic")).one()))).first() is None


def test_a_worker_of_another_village_does_not_find_it(client, staff, filed):
    other = staff("xiling-worker")
    reads = _reads(filed)
    assert client.get(reads["queue"], headers=other).get_json() == []
    assert client.get(reads["detail"], headers=other).status_code == 404
    assert client.get(reads["document"], headers=other).status_code == 404
