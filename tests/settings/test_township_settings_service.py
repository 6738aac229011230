"""The township's settings as a service: the environment's values until the office changes
one, every change validated (all or none) and audited with its old and new value, and a
change saved through one app instance in effect on another at its next request."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.helpers import all_at_once, committed_or_refused
from wxapp.errors import Forbidden, ValidationFailed
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser, Township, TownshipSetting
from wxapp.services import township_settings
from wxapp.transactions import commit, rollback


def _staff() -> StaffUser:
    township = db.session.scalars(select(Township)).first()
    if township is None:
        township = Township(code="320102001", name="测试街道")
        db.session.add(township)
        db.session.flush()
    number = db.session.scalar(select(func.count(StaffUser.id)))
    staff = StaffUser(username=f"settings-admin-{number}",
                      display_name="设置测试", role="township_admin", township_id=township.id,
                      password_hash="x", active=True, session_version=1)
    db.session.add(staff)
    commit()
    return staff


def _changes() -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).filter_by(action="settings.changed")
                                   .order_by(AuditLog.id)))


def test_a_fresh_machine_uses_the_environments_values(app_ctx):
    current = township_settings.current()
    env = app_ctx.config["WXAPP"]
    assert current.office_phone == env.office_phone
    assert current.booking_cancel_cutoff_hours == env.booking_cancel_cutoff_hours
    assert current.reply_placeholders()["office_phone"] == env.office_phone


def test_a_change_is_stored_audited_with_old_and_new_and_read_back(app_ctx):
    admin = _staff()
    env = app_ctx.config["WXAPP"]
    changed = township_settings.update(admin, {"office_phone": "0571-8888 6666",
                                               "booking_cancel_cutoff_hours": "24",
                                               "no_show_limit": env.no_show_limit})
    commit()
    assert sorted(changed) == ["booking_cancel_cutoff_hours", "office_phone"]
    current = township_settings.current()
    assert current.office_phone == "0571-8888 6666"
    assert current.booking_cancel_cutoff_hours == 24
    assert current.reply_placeholders()["booking_cancel_cutoff_hours"] == "24"
    rows = {row.target_id: row for row in _changes()}
    assert set(rows) == {"office_phone", "booking_cancel_cutoff_hours"}
    assert rows["office_phone"].detail == {"key": "office_phone", "old": env.office_phone,
                                           "new": "0571-8888 6666"}
    assert rows["booking_cancel_cutoff_hours"].detail["old"] == env.booking_cancel_cutoff_hours
    assert rows["office_phone"].actor_id == str(admin.id)
    # The environment keeps its value: it is the fallback, not overwritten.
    assert env.office_phone != "0571-8888 6666"


def test_the_same_change_twice_records_nothing_the_second_time(app_ctx):
    admin = _staff()
    assert township_settings.update(admin, {"waitlist_hold_minutes": "60"}) == [
        "waitlist_hold_minutes"]
    commit()
    assert township_settings.update(admin, {"waitlist_hold_minutes": "60"}) == []
    commit()
    assert len(_changes()) == 1
    assert db.session.scalar(select(func.count()).select_from(TownshipSetting)) == 1


BAD_VALUES = [
    ("office_name", "办"), ("office_name", "办" * 33), ("office_phone", "电话"),
    ("office_phone", "12"), ("office_phone", "0571-123"), ("office_phone", "23800138000"),
    ("office_phone", "13800138000138000"), ("office_address", "镇里"),
    ("office_address", "地" * 101), ("office_hours", "上午"), ("office_hours", "时" * 61),
    ("office_hours", "8:30-{office_phone}"), ("office_hours", " "),
    ("registration_review_working_days", "0"), ("registration_review_working_days", "31"),
    ("registration_review_working_days", "三"), ("registration_review_working_days", "2.5"),
    ("booking_min_notice_hours", "73"), ("booking_min_notice_hours", "-1"),
    ("booking_min_notice_hours", "--5"), ("booking_min_notice_hours", "1e2"),
    ("booking_max_days_ahead", "0"), ("booking_max_days_ahead", "181"),
    ("booking_cancel_cutoff_hours", "73"), ("booking_cancel_cutoff_hours", ""),
    ("waitlist_hold_minutes", "10"), ("waitlist_hold_minutes", "1441"),
    ("no_show_limit", "0"), ("no_show_limit", "11"), ("no_show_window_days", "29"),
    ("no_show_window_days", "731"), ("no_show_restriction_days", "0"),
    ("no_show_restriction_days", "366"),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_a_bad_value_is_refused_in_chinese_and_nothing_is_saved(app_ctx, key, value):
    admin = _staff()
    good = "office_address" if key != "office_address" else "office_hours"
    with pytest.raises(ValidationFailed) as refused:
        township_settings.update(admin, {good: "镇政府一楼卫健办窗口", key: value})
    rollback()
    assert refused.value.code == "settings.invalid"
    assert set(refused.value.details) == {key}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.details[key])
    assert db.session.scalar(select(func.count()).select_from(TownshipSetting)) == 0
    assert _changes() == []


@pytest.mark.parametrize("phone", ["0571-88886666", "0571-8888 6666", "(0571)88886666",
                                   "025-5288 1234转806", "13800138000", "400-123-4567",
                                   "12345", "12320", "010-12345678"])
def test_phone_numbers_as_people_write_them_are_accepted(app_ctx, phone):
    township_settings.update(_staff(), {"office_phone": phone})
    commit()
    assert township_settings.current().office_phone == phone


def test_full_width_digits_are_read_as_numbers(app_ctx):
    township_settings.update(_staff(), {"booking_cancel_cutoff_hours": "２４"})
    commit()
    assert township_settings.current().booking_cancel_cutoff_hours == 24


def test_booking_window_must_be_longer_than_the_notice(app_ctx):
    with pytest.raises(ValidationFailed) as refused:
        township_settings.update(_staff(), {"booking_min_notice_hours": "48",
                                            "booking_max_days_ahead": "1"})
    assert set(refused.value.details) == {"booking_max_days_ahead"}


def test_the_placeholder_phone_sent_back_unchanged_does_not_block_the_address(app_ctx):
    # A fresh machine's phone is the environment's placeholder; the office form sends it
    # back with the address it did change.
    env = app_ctx.config["WXAPP"]
    changed = township_settings.update(_staff(), {"office_phone": env.office_phone,
                                                  "office_address": "镇政府一楼卫健办窗口"})
    assert changed == ["office_address"]


def test_only_the_township_office_may_change_settings(app_ctx):
    for role in ("reviewer", "village_worker", "clinic"):
        with pytest.raises(Forbidden):
            township_settings.update(StaffUser(id=1, role=role), {"no_show_limit": "3"})
    assert db.session.scalar(select(func.count()).select_from(TownshipSetting)) == 0


def test_an_unknown_setting_is_refused(app_ctx):
    with pytest.raises(ValidationFailed) as refused:
        township_settings.update(_staff(), {"secret_key": "x" * 40})
    assert "secret_key" in refused.value.details


def test_a_stored_value_that_no_longer_reads_falls_back_to_the_environment(app_ctx):
    db.session.add(TownshipSetting(key="no_show_limit", value="many"))
    db.session.add(TownshipSetting(key="retired_setting", value="1"))
    commit()
    assert township_settings.current().no_show_limit == app_ctx.config["WXAPP"].no_show_limit


def test_a_change_on_one_instance_is_seen_by_another_at_its_next_request(app, base_settings):
    other = make_app(replace(base_settings))
    with app.app_context():
        admin = _staff()
        admin_id = admin.id
    with other.test_request_context("/"):
        assert township_settings.current().booking_cancel_cutoff_hours == \
            base_settings.booking_cancel_cutoff_hours
    with app.test_request_context("/"):
        township_settings.update(db.session.get(StaffUser, admin_id),
                                 {"booking_cancel_cutoff_hours": "30"})
        commit()
    with other.test_request_context("/"):
        assert township_settings.current().booking_cancel_cutoff_hours == 30
    with other.app_context():
        db.engine.dispose()


def test_within_one_request_the_settings_are_read_once(app_ctx):
    _staff()
    statements = []
    from sqlalchemy import event

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            township_settings.current()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_a_job_after_a_commit_reads_the_settings_again(app_ctx):
    # A worker runs many jobs in one app context: each unit of work reads afresh.
    admin = _staff()
    assert township_settings.current().no_show_limit == app_ctx.config["WXAPP"].no_show_limit
    commit()
    db.session.add(TownshipSetting(key="no_show_limit", value="5", updated_by=admin.id))
    commit()
    assert township_settings.current().no_show_limit == 5


def test_a_new_review_deadline_applies_to_the_next_submission(app_ctx):
    from types import SimpleNamespace

    from wxapp.services.registration.applications import _start_review_clock, add_working_days

    township_settings.update(_staff(), {"registration_review_working_days": "10"})
    commit()
    reg = SimpleNamespace(submitted_at=None, due_at=None)
    _start_review_clock(reg)
    assert reg.due_at == add_working_days(reg.submitted_at, 10)


def test_a_yearly_target_is_validated_and_a_repeat_records_nothing(app_ctx):
    from wxapp.services.screening import stats

    admin = _staff()
    for year, target in ((2026, -1), (2026, 1_000_001), (1999, 10), (2026, True)):
        with pytest.raises(ValidationFailed) as refused:
            stats.set_target(admin, year, target)
        assert refused.value.code == "screening.invalid_target"
    stats.set_target(admin, 2026, 40)
    stats.set_target(admin, 2026, 40)
    stats.set_target(admin, 2026, 45)
    commit()
    rows = list(db.session.scalars(select(AuditLog).filter_by(action="screening.target")
                                   .order_by(AuditLog.id)))
    assert [row.detail for row in rows] == [{"year": 2026, "target": 40, "old": None},
                                            {"year": 2026, "target": 45, "old": 40}]


def test_quotas_are_checked_for_every_item_before_any_changes(app_ctx):
    from wxapp.models import SupplyItem
    from wxapp.seeding.seed import seed_supply_items
    from wxapp.services.supplies import staff_queries

    seed_supply_items()
    admin = _staff()
    condom, gel = (db.session.scalars(select(SupplyItem).filter_by(code=code)).one()
                   for code in ("condom-m", "gel-nonoxynol"))
    before = condom.per_pickup_limit
    with pytest.raises(ValidationFailed) as refused:
        staff_queries.set_quotas(admin, {condom.id: {"per_pickup_limit": 4},
                                         gel.id: {"per_pickup_limit": 9, "yearly_limit": 8}})
    rollback()
    assert set(refused.value.details) == {f"{gel.id}.yearly_limit"}
    assert db.session.get(SupplyItem, condom.id).per_pickup_limit == before
    assert db.session.scalars(select(AuditLog).filter_by(action="supplies.item_rules")).all() \
        == []


def test_reading_the_settings_never_flushes_the_callers_pending_rows(app_ctx):
    # A service that turns its own flush's IntegrityError into a domain error must get that
    # error at its flush, not swallowed inside a settings read.
    from wxapp.models import Township as Place

    db.session.add(Place(code="320102001", name="甲"))
    commit()
    db.session.add(Place(code="320102001", name="乙"))
    township_settings.current()
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        db.session.flush()
    rollback()


def _race(app, admin_id: int, values: tuple[str, str]) -> list[str]:
    """Two saves of the cancel cutoff at the same instant; what each got."""
    def office_saves(value):
        return committed_or_refused(
            app, lambda: db.session.get(StaffUser, admin_id),
            lambda admin: township_settings.update(admin, {"booking_cancel_cutoff_hours": value}),
            "saved")

    return ["conflict" if outcome == "settings.changed_meanwhile" else outcome
            for outcome in all_at_once([office_saves(value) for value in values])]


@pytest.mark.postgres_only
def test_two_offices_saving_at_once_leave_a_true_history(app):
    import itertools

    with app.app_context():
        admin_id = _staff().id
    # The first save of a key may meet a concurrent insert (one is told to try again);
    # later saves lock the row and both go through, one after the other.
    first = _race(app, admin_id, ("20", "30"))
    assert "saved" in first and len(first) == 2
    assert _race(app, admin_id, ("40", "50")) == ["saved", "saved"]
    with app.app_context():
        rows = _changes()
        for earlier, later in itertools.pairwise(rows):
            assert later.detail["old"] == earlier.detail["new"]
        assert str(rows[-1].detail["new"]) == db.session.get(
            TownshipSetting, "booking_cancel_cutoff_hours").value
