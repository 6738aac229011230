"""代办 through the console: the same service as the staff API's POST, problems beside their
fields with everything typed kept, nothing saved from a refused form, and a double
submission answered with the first case."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.console.desk_data import father_id, make_desk, mother_id
from wxapp.china_time import china_today
from wxapp.models import AuditLog, BirthRegistration

NEW = "/console/registrations/new"


@pytest.fixture
def desk(app):
    return make_desk(app)


def filing_fields(village_id: int, **changes) -> dict:
    fields = {
        "village_id": str(village_id), "filer_role": "mother",
        "mother_name": "赵小梅", "mother_id_number": mother_id(40),
        "mother_phone": "13912340000", "mother_hukou_region": "320102",
        "mother_marital_status": "first_marriage",
        "father_name": "钱大勇", "father_id_number": father_id(40),
        "father_phone": "", "father_hukou_region": "320102",
        "father_marital_status": "first_marriage",
        "marriage_date": "2019-10-01", "pregnancy_status": "pregnant",
        "expected_or_birth_date": (china_today() + timedelta(days=100)).isoformat(),
        "child-1-birth_date": "2021-02-03", "child-1-relation": "both",
        "consent_confirmed": "yes",
    }
    fields.update(changes)
    return fields


def _count(desk):
    return desk.scalar(select(func.count()).select_from(BirthRegistration))


def test_a_village_worker_files_for_a_family_of_her_village(console, desk):
    client, staff = console.sign_in("village_worker")
    form = client.get(NEW).get_data(as_text=True)
    # Her village is the only choice, already chosen; every input has a label.
    assert "东湖村" in form and "西岭村" not in form
    for name in ("mother_name", "mother_id_number", "father_name", "expected_or_birth_date",
                 "consent_confirmed", "child-1-birth_date"):
        assert f'for="{name}"' in form
    response = console.post(client, NEW, filing_fields(desk.villages["东湖村"]))
    assert response.status_code == 302
    [reg] = desk.scalars(select(BirthRegistration))
    assert response.headers["Location"].endswith(f"/console/registrations/{reg.id}")
    assert reg.filed_by_staff_id == staff.id and reg.resident_id is None
    assert reg.status == "submitted" and reg.child_order == 2 and reg.conflict_flags == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "代办申请已提交" in page and reg.application_no in page


def test_problems_are_shown_beside_their_fields_and_nothing_is_saved(console, desk):
    client, _ = console.sign_in("village_worker")
    response = console.post(client, NEW, filing_fields(
        desk.villages["东湖村"], mother_id_number="320102199001011234", father_name="",
        expected_or_birth_date="2000-01-01"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "填写的信息有误" in body
    assert 'id="error-mother-id_number"' in body and 'aria-invalid="true"' in body
    assert "请填写2到20个字的姓名" in body
    assert "请填写今天以后、10个月以内的预产期" in body
    # What was typed is kept.
    assert 'value="赵小梅"' in body and 'value="320102199001011234"' in body
    assert _count(desk) == 0


def test_without_the_consent_box_nothing_is_filed(console, desk):
    client, _ = console.sign_in("village_worker")
    fields = filing_fields(desk.villages["东湖村"])
    del fields["consent_confirmed"]
    response = console.post(client, NEW, fields)
    assert response.status_code == 403
    assert "请确认当事人已签署" in response.get_data(as_text=True)
    assert _count(desk) == 0


def test_a_double_submitted_filing_makes_one_case_and_says_so(console, desk):
    client, _ = console.sign_in("village_worker")
    fields = filing_fields(desk.villages["东湖村"])
    first = console.post(client, NEW, fields)
    second = console.post(client, NEW, fields)
    assert _count(desk) == 1
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "已经提交过" in page and "没有重复提交" in page


def test_filing_refused_without_csrf_token(console, desk):
    client, _ = console.sign_in("village_worker")
    client.get(NEW)
    response = client.post(NEW, data=filing_fields(desk.villages["东湖村"]))
    assert response.status_code == 400
    assert _count(desk) == 0
    assert desk.scalars(select(AuditLog).filter(AuditLog.action.like("registration.%"))) == []
