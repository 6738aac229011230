"""The audited reveal has a ceiling per staff account: a reviewer checks dozens of forms an
hour, nobody reads a whole register number by number. Past it she is told in Chinese when she
may go on, nothing is shown or logged, and the township office is alerted once that day."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tests.conftest import _clean, make_app
from tests.console import records
from wxapp.extensions import db
from wxapp.models import AuditLog, StaffNotice
from wxapp.services.personal_data import REVEALED
from wxapp.transactions import commit


@pytest.fixture
def app(migrated, base_settings):
    """Two reveals an hour per account (the console fixture signs in on this app)."""
    app = make_app(replace(base_settings, rate_limit_reveal_per_staff="2/hour;300/day"))
    yield app
    _clean(app)


@pytest.fixture
def reveal_path(app, console):
    console.make_staff("township_admin")  # seeds the demo township: the office to alert
    with app.app_context():
        reg = records.registration(records.village("东湖村"))
        commit()
        return f"/console/reveal/registration/{reg.id}/mother_id_number"


def _reveals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)).filter_by(action=REVEALED))


def _alerts(app) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [(n.staff_id, n.kind, n.sms_status) for n in db.session.scalars(
            select(StaffNotice).where(StaffNotice.kind.like("reveal_limit:%"))
            .order_by(StaffNotice.staff_id))]


def _office_ids(app) -> list[int]:
    from wxapp.models import StaffUser

    with app.app_context():
        return sorted(db.session.scalars(select(StaffUser.id).filter_by(
            role="township_admin", active=True)))


def test_past_the_limit_nothing_is_shown_and_she_is_told_when_to_go_on(
        app, console, reveal_path):
    client, _ = console.sign_in("reviewer")
    for _ in range(2):
        assert console.post(client, reveal_path, htmx=True).status_code == 200
    refused = console.post(client, reveal_path, htmx=True)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "您查看完整号码的次数已达上限（每小时2次），请1小时后再试。" in html
    assert int(refused.headers["Retry-After"]) > 0
    assert _reveals(app) == 2


def test_without_js_the_refusal_is_a_page_with_the_same_message(app, console, reveal_path):
    client, _ = console.sign_in("village_worker")
    for _ in range(2):
        console.post(client, reveal_path)
    refused = console.post(client, reveal_path)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "<html" in html
    assert "次数已达上限" in html and "联系镇卫健办" in html


def test_the_limit_is_per_account_across_browsers_and_not_shared_with_colleagues(
        app, console, reveal_path):
    first, reviewer = console.sign_in("reviewer")
    second = console.sign_in_as(reviewer)
    assert console.post(first, reveal_path, htmx=True).status_code == 200
    assert console.post(second, reveal_path, htmx=True).status_code == 200
    assert console.post(first, reveal_path, htmx=True).status_code == 429
    colleague, _ = console.sign_in("reviewer")
    assert console.post(colleague, reveal_path, htmx=True).status_code == 200
    assert _reveals(app) == 3


def test_the_office_is_alerted_once_a_day_per_account(app, console, reveal_path):
    client, reviewer = console.sign_in("reviewer")
    for _ in range(2):
        console.post(client, reveal_path, htmx=True)
    assert _alerts(app) == []  # reaching the limit is not yet going past it
    for _ in range(3):  # trying again, and again: still one alert
        assert console.post(client, reveal_path, htmx=True).status_code == 429
    kind = f"reveal_limit:{reviewer.id}"
    assert _alerts(app) == [(office, kind, "pending") for office in _office_ids(app)]
    other, worker = console.sign_in("village_worker")
    for _ in range(3):
        console.post(other, reveal_path, htmx=True)
    assert len(_alerts(app)) == 2 * len(_office_ids(app))  # her account is alerted on its own
    with app.app_context():
        texts = set(db.session.scalars(select(StaffNotice.text).filter_by(
            kind=f"reveal_limit:{worker.id}")))
    assert texts == {f"测试村专干（{worker.username}）查看完整身份证号码、手机号码的次数已达"
                     "上限，已暂停查看。请在“审计日志”中核对是否为正常工作所需。"}
