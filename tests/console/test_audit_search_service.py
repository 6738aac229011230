"""The audit log as the office reads it, below the console: her township only, filters,
pages, and the reading itself logged."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.console import records
from wxapp.china_time import CHINA
from wxapp.errors import Forbidden, ValidationFailed
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser
from wxapp.seeding.seed import seed_demo
from wxapp.services.audit_search import SEARCHED, AuditFilters, search_audit
from wxapp.transactions import commit


@pytest.fixture
def demo(app_ctx):
    seed_demo()
    commit()
    return {s.username: s for s in db.session.scalars(select(StaffUser))}


def _row(staff, action, target_type, target_id, at):
    db.session.add(AuditLog(actor_type="staff", actor_id=str(staff.id), action=action,
                            target_type=target_type, target_id=str(target_id), at=at))


def _china(*args):
    return datetime(*args, tzinfo=CHINA).astimezone(UTC)


def test_rows_of_another_townships_staff_are_not_shown(demo):
    place = records.other_township_village()
    stranger = StaffUser(username="next-admin", display_name="邻镇管理员", role="township_admin",
                         township_id=place.township_id, password_hash="x")
    db.session.add(stranger)
    db.session.flush()
    _row(stranger, "registration.read", "birth_registration", 1, _china(2026, 3, 1, 9))
    _row(demo["demo-reviewer"], "registration.read", "birth_registration", 2,
         _china(2026, 3, 1, 10))
    found = search_audit(demo["demo-admin"], AuditFilters())
    assert [r.target_id for r in found.rows] == ["2"]
    assert found.rows[0].staff.username == "demo-reviewer"
    assert stranger not in found.staff


def test_filters_by_staff_action_record_and_china_dates(demo):
    reviewer, worker = demo["demo-reviewer"], demo["demo-village"]
    reg = records.registration(records.village("东湖村"), registration_number="DJ20260001")
    # 23:30 on 31 May China time is still 31 May, though 15:30 UTC.
    _row(reviewer, "registration.read", "birth_registration", reg.id, _china(2026, 5, 31, 23, 30))
    _row(reviewer, "personal_data.revealed", "birth_registration", reg.id,
         _china(2026, 6, 1, 0, 30))
    _row(worker, "registration.read", "birth_registration", reg.id + 1, _china(2026, 6, 2, 9))
    _row(worker, "screening.couple_read", "screening_couple", reg.id, _china(2026, 6, 2, 9))
    admin = demo["demo-admin"]

    def ids(**filters):
        return sorted((r.action, r.target_id) for r in
                      search_audit(admin, AuditFilters(**filters)).rows
                      if r.action != SEARCHED)

    assert ids(staff_id=worker.id) == [("registration.read", str(reg.id + 1)),
                                        ("screening.couple_read", str(reg.id))]
    assert ids(action="personal_data.revealed") == [("personal_data.revealed", str(reg.id))]
    assert ids(target_type="birth_registration", record="DJ20260001") == [
        ("personal_data.revealed", str(reg.id)), ("registration.read", str(reg.id))]
    assert ids(target_type="birth_registration", record=reg.application_no) == ids(
        target_type="birth_registration", record=str(reg.id))
    assert ids(target_type="screening_couple", record=str(reg.id)) == [
        ("screening.couple_read", str(reg.id))]
    assert ids(date_from=date(2026, 5, 31), date_to=date(2026, 5, 31)) == [
        ("registration.read", str(reg.id))]
    assert ids(date_from=date(2026, 6, 1), date_to=date(2026, 6, 1)) == [
        ("personal_data.revealed", str(reg.id))]
    assert ids(record="nothing-like-this") == []


def test_pages_newest_first(demo):
    for n in range(7):
        _row(demo["demo-reviewer"], "registration.read", "birth_registration", n,
             _china(2026, 4, 1, 8, n))
    admin = demo["demo-admin"]
    first = search_audit(admin, AuditFilters(action="registration.read"), page=1, per_page=3)
    third = search_audit(admin, AuditFilters(action="registration.read"), page=3, per_page=3)
    assert (first.total, first.pages) == (7, 3)
    assert [r.target_id for r in first.rows] == ["6", "5", "4"]
    assert [r.target_id for r in third.rows] == ["0"]
    past_the_end = search_audit(admin, AuditFilters(action="registration.read"), page=99,
                                per_page=3)
    assert past_the_end.page == 3 and [r.target_id for r in past_the_end.rows] == ["0"]


def test_reading_the_log_is_logged_with_its_filters(demo):
    admin = demo["demo-admin"]
    for hour in (9, 10):
        _row(demo["demo-reviewer"], "registration.read", "birth_registration", hour,
             _china(2026, 1, 2, hour))
    search_audit(admin, AuditFilters(action="registration.read", date_from=date(2026, 1, 1)),
                 page=2, per_page=1)
    [row] = db.session.scalars(select(AuditLog).filter_by(action=SEARCHED)).all()
    assert row.actor_id == str(admin.id)
    assert row.detail == {"filters": {"action": "registration.read",
                                      "date_from": "2026-01-01"}, "page": 2}


def test_a_backwards_date_range_is_refused_in_chinese(demo):
    with pytest.raises(ValidationFailed) as refused:
        search_audit(demo["demo-admin"], AuditFilters(date_from=date(2026, 2, 1),
                                                       date_to=date(2026, 1, 1)))
    assert refused.value.details == {"date_to": "结束日期不能早于开始日期。"}


@pytest.mark.parametrize("username", ["demo-reviewer", "demo-village", "demo-clinic"])
def test_only_the_office_reads_the_log(demo, username):
    with pytest.raises(Forbidden):
        search_audit(demo[username], AuditFilters())
