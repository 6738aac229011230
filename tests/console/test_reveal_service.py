"""Revealing a full number, below the console: scope, one audit row each time, no value in
the log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.console import records
from wxapp.errors import Forbidden, NotFound
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffUser
from wxapp.seeding.seed import seed_demo
from wxapp.services.personal_data import RECORD_KINDS, REVEALED, reveal
from wxapp.transactions import commit


@pytest.fixture
def demo(app_ctx):
    seed_demo()
    commit()
    return {s.username: s for s in db.session.scalars(select(StaffUser))}


def _reveals():
    return list(db.session.scalars(select(AuditLog).filter_by(action=REVEALED)))


@pytest.mark.parametrize("username", ["demo-admin", "demo-reviewer", "demo-village"])
@pytest.mark.parametrize("field", sorted(RECORD_KINDS["registration"].fields))
def test_staff_in_scope_see_a_registrations_number_and_the_reveal_is_logged(
        demo, username, field):
    reg = records.registration(records.village("东湖村"))
    shown = reveal(demo[username], "registration", reg.id, field)
    assert shown.value == getattr(reg, field) and shown.label
    [row] = _reveals()
    assert (row.actor_id, row.target_type, row.target_id) == (
        str(demo[username].id), "birth_registration", str(reg.id))
    assert row.detail == {"field": field}
    assert shown.value not in repr(row.detail)


@pytest.mark.parametrize("field", sorted(RECORD_KINDS["screening_couple"].fields))
def test_a_couples_numbers_are_revealed_one_field_at_a_time(demo, field):
    couple = records.couple(records.village("东湖村"))
    assert reveal(demo["demo-village"], "screening_couple", couple.id, field).value == \
        getattr(couple, field)
    [row] = _reveals()
    assert (row.target_type, row.target_id) == ("screening_couple", str(couple.id))


def test_each_reveal_is_one_row(demo):
    reg = records.registration(records.village("东湖村"))
    for _ in range(3):
        reveal(demo["demo-reviewer"], "registration", reg.id, "mother_phone")
    assert len(_reveals()) == 3


def test_another_villages_worker_finds_nothing_and_nothing_is_logged(demo):
    reg = records.registration(records.village("西岭村"))
    couple = records.couple(records.village("西岭村"))
    with pytest.raises(NotFound):
        reveal(demo["demo-village"], "registration", reg.id, "mother_id_number")
    with pytest.raises(NotFound):
        reveal(demo["demo-village"], "screening_couple", couple.id, "wife_phone")
    assert _reveals() == []


def test_another_townships_record_is_not_found_even_for_the_admin(demo):
    reg = records.registration(records.other_township_village())
    with pytest.raises(NotFound) as refused:
        reveal(demo["demo-admin"], "registration", reg.id, "father_id_number")
    assert refused.value.code == "personal_data.not_found"
    assert _reveals() == []


def test_clinic_staff_see_no_registration_or_couple(demo):
    reg = records.registration(records.village("东湖村"))
    with pytest.raises(Forbidden):
        reveal(demo["demo-clinic"], "registration", reg.id, "mother_id_number")
    assert _reveals() == []


@pytest.mark.parametrize("kind, field", [
    ("registration", "mother_name"),  # not a revealable field
    ("registration", "mother_id_index"),
    ("registration", "__class__"),
    ("resident_profile", "id_number"),  # not a kind staff see
])
def test_only_named_fields_of_named_kinds_can_be_revealed(demo, kind, field):
    reg = records.registration(records.village("东湖村"))
    with pytest.raises(NotFound):
        reveal(demo["demo-admin"], kind, reg.id, field)
    assert _reveals() == []


def test_an_empty_phone_reveals_nothing_and_logs_nothing(demo):
    reg = records.registration(records.village("东湖村"), father_phone=None)
    with pytest.raises(NotFound) as refused:
        reveal(demo["demo-admin"], "registration", reg.id, "father_phone")
    assert refused.value.code == "personal_data.empty"
    assert _reveals() == []
