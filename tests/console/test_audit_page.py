"""The audit page: the office (only) sees who read or changed which record, filtered and in
pages; reading it is itself recorded."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.console import records
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import AuditLog
from wxapp.services.audit_search import SEARCHED
from wxapp.transactions import commit


def _log(app, staff, action, target_type, target_id, at=None, detail=None):
    with app.app_context():
        db.session.add(AuditLog(actor_type="staff", actor_id=str(staff.id), action=action,
                                target_type=target_type, target_id=str(target_id),
                                at=at or datetime.now(UTC), detail=detail))
        commit()


def _china(*args):
    return datetime(*args, tzinfo=CHINA).astimezone(UTC)


def _body(response) -> str:
    return response.get_data(as_text=True)


def _table(response) -> str:
    """The rows only (the filter's choices name every action too)."""
    html = _body(response)
    return html[html.find("<tbody>"):html.find("</tbody>")] if "<tbody>" in html else ""


@pytest.mark.parametrize("role, status", [
    ("township_admin", 200), ("reviewer", 403), ("village_worker", 403), ("clinic", 403)])
def test_only_the_office_opens_the_audit_page(console, role, status):
    client, _ = console.sign_in(role)
    answer = client.get("/console/audit")
    assert answer.status_code == status
    if status == 403:
        assert "没有权限" in _body(answer) or "没有此项权限" in _body(answer)


def test_signed_out_visitors_are_sent_to_sign_in(console):
    answer = console.client().get("/console/audit?action=staff.created")
    assert answer.status_code == 302
    assert "/console/login" in answer.headers["Location"]


def test_filters_by_staff_action_record_and_dates(app, console):
    client, _admin = console.sign_in("township_admin")
    reviewer = console.make_staff("reviewer", display_name="钱审核")
    worker = console.make_staff("village_worker", display_name="孙专干")
    with app.app_context():
        reg = records.registration(records.village("东湖村"), registration_number="DJ2026000777")
        commit()
        reg_id = reg.id
    _log(app, reviewer, "registration.read", "birth_registration", reg_id,
         _china(2021, 5, 31, 23, 30))
    _log(app, reviewer, "personal_data.revealed", "birth_registration", reg_id,
         _china(2021, 6, 1, 0, 30), {"field": "mother_phone"})
    _log(app, worker, "screening.couple_read", "screening_couple", 41, _china(2021, 6, 2, 9))

    answer = client.get(f"/console/audit?staff_id={worker.id}")
    by_worker = _table(answer)
    assert "孙专干" in by_worker and "查看夫妇信息" in by_worker
    assert "查看登记" not in by_worker and "共 1 条" in _body(answer)

    answer = client.get("/console/audit?action=personal_data.revealed")
    reveals = _table(answer)
    assert "共 1 条" in _body(answer) and "女方手机号码" in reveals and "钱审核" in reveals

    answer = client.get("/console/audit?target_type=birth_registration&record=DJ2026000777")
    assert "共 2 条" in _body(answer) and f"#{reg_id}" in _table(answer)

    # 23:30 on 31 May in China is 15:30 UTC: it belongs to 31 May.
    answer = client.get("/console/audit?date_from=2021-05-31&date_to=2021-05-31")
    may = _table(answer)
    assert "共 1 条" in _body(answer) and "查看登记" in may and "2021-05-31 23:30" in may


def test_a_backwards_date_range_is_explained_beside_the_field(console):
    client, _ = console.sign_in("township_admin")
    answer = client.get("/console/audit?date_from=2026-06-02&date_to=2026-06-01")
    assert answer.status_code == 422
    assert 'id="date_to-error"' in _body(answer)
    assert "结束日期不能早于开始日期。" in _body(answer)


@pytest.mark.parametrize("query, field", [("date_from=2026-13-01", "date_from"),
                                          ("staff_id=abc", "staff_id"),
                                          ("target_type=nonsense", "target_type"),
                                          ("record=" + "9" * 65, "record")])
def test_filters_the_page_cannot_use_are_explained_in_chinese(app, console, query, field):
    client, _ = console.sign_in("township_admin")
    answer = client.get(f"/console/audit?{query}")
    assert answer.status_code == 422
    assert f'id="{field}-error"' in _body(answer)
    with app.app_context():  # a refused search read nothing, so it logged nothing
        assert db.session.scalars(select(AuditLog).filter_by(action=SEARCHED)).all() == []


def test_pages_of_fifty_newest_first(app, console):
    client, _admin = console.sign_in("township_admin")
    reviewer = console.make_staff("reviewer")
    with app.app_context():
        for n in range(55):
            db.session.add(AuditLog(actor_type="staff", actor_id=str(reviewer.id),
                                    action="registration.read", target_type="birth_registration",
                                    target_id=str(1000 + n), at=_china(2021, 3, 1, 8, n)))
        commit()
    answer = client.get("/console/audit?action=registration.read")
    first = _table(answer)
    assert "共 55 条，第 1 / 2 页" in _body(answer)
    assert "#1054" in first and "#1004" not in first
    assert re.search(r'href="/console/audit\?[^"]*page=2', _body(answer))
    assert "action=registration.read" in _body(answer)
    second = _table(client.get("/console/audit?action=registration.read&page=2"))
    assert "#1004" in second and "#1000" in second and "#1005" not in second


def test_other_townships_staff_rows_are_not_shown(app, console):
    client, _ = console.sign_in("township_admin")
    with app.app_context():
        place = records.other_township_village()
        commit()
        township_id = place.township_id
    stranger = console.make_staff("reviewer", township_id=township_id, display_name="邻镇审核员")
    _log(app, stranger, "registration.read", "birth_registration", 5)
    page = _body(client.get("/console/audit"))
    assert "邻镇审核员" not in page and "生育登记 #5" not in page


def test_viewing_the_audit_page_is_recorded_with_its_filters(app, console):
    client, admin = console.sign_in("township_admin")
    client.get("/console/audit?action=staff.created&date_from=2026-01-01")
    with app.app_context():
        [row] = db.session.scalars(select(AuditLog).filter_by(action=SEARCHED)).all()
        assert row.actor_id == str(admin.id)
        assert row.detail == {"filters": {"action": "staff.created", "date_from": "2026-01-01"},
                              "page": 1}
    assert "查看审计日志" in _table(client.get("/console/audit"))
