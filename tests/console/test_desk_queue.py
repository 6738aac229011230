"""The desk's queue as a service: views, filters, search (the full ID number through the blind
index), paging, and the scope that no search widens."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.china_clock import at_china, every_fixed_moment
from tests.console.desk_data import make_desk, mother_id
from wxapp.china_time import CHINA, china_today, to_china
from wxapp.extensions import db
from wxapp.models import AuditLog
from wxapp.services.registration.desk_queue import (
    QueueFilters,
    classify_search,
    counts_by_view,
    desk_queue,
)


@pytest.fixture
def desk(app, app_ctx):
    """The service is called in the test's own app context; cases are filed in theirs."""
    return make_desk(app)


def ids(page):
    return [row.id for row in page.rows]


def test_views_due_open_and_all(desk):
    waiting = desk.file()
    returned = desk.file()
    desk.return_(returned)
    registered = desk.file()
    desk.approve(registered)
    reviewer = desk.member("demo-reviewer")
    # Nothing is due on the day it is filed (three working days).
    assert ids(desk_queue(reviewer, QueueFilters(view="due"))) == []
    assert set(ids(desk_queue(reviewer, QueueFilters(view="open")))) == {waiting.id,
                                                                         returned.id}
    # Returned first: the family is waiting for the worker's help.
    assert ids(desk_queue(reviewer, QueueFilters(view="open")))[0] == returned.id
    assert set(ids(desk_queue(reviewer, QueueFilters(view="all")))) == {
        waiting.id, returned.id, registered.id}
    due_at = desk.reload(waiting).due_at
    # On the deadline's day, before the hour: due today; after it: overdue.
    with time_machine.travel(due_at - timedelta(minutes=1)):
        page = desk_queue(reviewer, QueueFilters(view="due"))
        if to_china(due_at - timedelta(minutes=1)).date() == to_china(due_at).date():
            assert [(r.id, r.due_state) for r in page.rows] == [(waiting.id, "due_today")]
    with time_machine.travel(due_at + timedelta(minutes=1)):
        page = desk_queue(reviewer, QueueFilters(view="due"))
        assert [(r.id, r.due_state) for r in page.rows] == [(waiting.id, "overdue")]
        assert ids(desk_queue(reviewer, QueueFilters(overdue=True))) == [waiting.id]
        assert counts_by_view(reviewer)["due"] == 1


def test_filters_status_village_child_order_conflict_dates(desk):
    first = desk.file("东湖村")
    second = desk.file("西岭村", children=1)
    third = desk.file("南桥社区", children=2, promised=True)
    desk.approve(first)
    reviewer = desk.member("demo-reviewer")

    def found(**kwargs):
        return set(ids(desk_queue(reviewer, QueueFilters(**kwargs))))

    assert found(status="approved") == {first.id}
    assert found(status="submitted") == {second.id, third.id}
    assert found(village_id=desk.villages["西岭村"]) == {second.id}
    assert found(child_order=1) == {first.id}
    assert found(child_order=2) == {second.id}
    assert found(child_order=3) == {third.id}
    assert found(conflict=True) == {third.id}
    assert found(conflict=False) == {first.id, second.id}
    today = china_today()
    assert found(submitted_from=today, submitted_to=today) == {first.id, second.id, third.id}
    assert found(submitted_from=today + timedelta(days=1)) == set()
    assert found(submitted_to=today - timedelta(days=1)) == set()


@pytest.mark.parametrize("how", ["as typed", "lower-case x and spaces", "full-width"])
def test_full_id_number_finds_the_case_through_the_blind_index_and_shows_it_masked(
        desk, how):
    for _ in range(3):
        desk.file()
    wanted = desk.reload(desk.cases[1])
    number = mother_id(1)
    typed = {"as typed": number,
             "lower-case x and spaces": f" {number[:6]} {number[6:14]} {number[14:].lower()} ",
             "full-width": "".join(chr(ord(c) + 0xFEE0) for c in number)}[how]
    page = desk_queue(desk.member("demo-reviewer"), QueueFilters(search=typed))
    assert page.search_kind == "id_number"
    assert ids(page) == [wanted.id]
    row = page.rows[0]
    assert row.mother_id_number == f"{number[:4]}********{number[-4:]}"
    assert number not in repr(row)
    assert row.mother_name == "张*"
    # The father's full ID number finds it too; a partial one finds nothing.
    from tests.console.desk_data import father_id
    assert ids(desk_queue(desk.member("demo-reviewer"), QueueFilters(search=father_id(1)))) == [
        wanted.id]
    assert ids(desk_queue(desk.member("demo-reviewer"), QueueFilters(search=number[:10]))) == []


def test_search_by_name_phone_numbers_and_certificate_code(desk):
    for _ in range(3):
        desk.file(phone=None)
    target = desk.reload(desk.cases[2])
    desk.approve(target)
    target = desk.reload(target)
    reviewer = desk.member("demo-reviewer")

    def search(text):
        page = desk_queue(reviewer, QueueFilters(search=text))
        return page.search_kind, ids(page)

    assert search("刘娜") == ("name", [target.id])
    assert search("刘") == ("name", [target.id])
    assert search("赵磊") == ("name", [target.id])  # the father's name
    assert search("138 1234 5602") == ("phone", [target.id])
    assert search(target.registration_number) == ("number", [target.id])
    assert search(target.application_no.lower()) == ("number", [target.id])
    assert search(target.certificate_code) == ("number", [target.id])
    assert search("不存在的人") == ("name", [])


def test_a_village_worker_finds_nothing_outside_her_village(desk):
    mine = desk.file("东湖村")
    theirs = desk.file("西岭村")
    worker = desk.member("demo-village")
    assert ids(desk_queue(worker, QueueFilters(view="all"))) == [mine.id]
    # Not by filter, ID number, name or number either.
    assert ids(desk_queue(worker, QueueFilters(village_id=desk.villages["西岭村"]))) == []
    assert ids(desk_queue(worker, QueueFilters(search=mother_id(1)))) == []
    assert ids(desk_queue(worker, QueueFilters(search=theirs.mother_name))) == []
    assert ids(desk_queue(worker, QueueFilters(search=theirs.application_no))) == []
    assert ids(desk_queue(desk.member("xiling-worker"), QueueFilters())) == [theirs.id]


def test_paging(desk):
    for _ in range(5):
        desk.file()
    reviewer = desk.member("demo-reviewer")
    first = desk_queue(reviewer, QueueFilters(page=1), page_size=2)
    third = desk_queue(reviewer, QueueFilters(page=3), page_size=2)
    beyond = desk_queue(reviewer, QueueFilters(page=99), page_size=2)
    assert (first.total, first.pages, len(first.rows)) == (5, 3, 2)
    assert len(third.rows) == 1 and beyond.page == 3 and ids(beyond) == ids(third)
    named = desk_queue(reviewer, QueueFilters(search="华", page=1), page_size=2)
    assert named.total == 0
    seen = set()
    for number in (1, 2, 3):
        seen.update(ids(desk_queue(reviewer, QueueFilters(page=number), page_size=2)))
    assert seen == set(desk.cases)


def test_listing_is_audited_without_the_search_text(desk):
    desk.file()
    desk_queue(desk.member("demo-reviewer"), QueueFilters(search=mother_id(0)))
    entry = db.session.scalars(select(AuditLog).filter_by(action="registration.list")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.actor_id == str(desk.staff["demo-reviewer"])
    assert entry.detail["search"] == "id_number" and entry.detail["count"] == 1
    assert mother_id(0) not in str(entry.detail)


@pytest.mark.parametrize("typed,kind", [
    ("", None), ("  ", None), ("王芳", "name"), ("13812345678", "phone"),
    ("+86 138-1234-5678", "phone"), ("DJ20260000001", "number"), ("ABCDEFGH23", "number"),
    ("11010519491231002X", "id_number"), ("12345", "number"), ("3201", "number"),
])
def test_what_a_search_is_taken_for(typed, kind):
    assert classify_search(typed)[0] == kind


@every_fixed_moment
def test_due_today_follows_the_china_calendar(desk, moment):
    with at_china(moment):
        case = desk.file()
    due = to_china(desk.reload(case).due_at)
    reviewer = desk.member("demo-reviewer")
    day_before_end = datetime.combine(due.date() - timedelta(days=1), time(23, 59), tzinfo=CHINA)
    with at_china(day_before_end):
        assert ids(desk_queue(reviewer, QueueFilters(view="due"))) == []
    with at_china(datetime.combine(due.date(), time(0, 1), tzinfo=CHINA)):
        page = desk_queue(reviewer, QueueFilters(view="due"))
        assert [(r.id, r.due_state) for r in page.rows] == [(case.id, "due_today")]
    with at_china(due + timedelta(minutes=1)):
        page = desk_queue(reviewer, QueueFilters(view="due"))
        assert [(r.id, r.due_state) for r in page.rows] == [(case.id, "overdue")]
