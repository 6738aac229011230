"""Staff alerts by text: made with the console notice, sent by the frequent job outside quiet
hours (21:00-08:00 China time), once, to staff who gave a number."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.china_clock import at_china
from tests.helpers import error_code
from wxapp.china_time import CHINA
from wxapp.extensions import db
from wxapp.models import PointItem, StaffNotice, StaffUser, SupplyPoint
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo, seed_supply_items
from wxapp.services import staff_notices
from wxapp.services.staff_alerts import in_quiet_hours, send_pending_alerts
from wxapp.services.supplies.ledger import raise_restock_task_if_low
from wxapp.transactions import commit

ADMIN_PHONE, VILLAGE_PHONE = "13700000001", "13700000002"
MORNING = datetime(2027, 3, 3, 10, 0, tzinfo=CHINA)  # a Wednesday


@pytest.fixture
def staff(app_ctx):
    seed_supply_items()
    seed_demo()
    db.session.scalars(select(StaffUser).filter_by(username="demo-admin")).one().phone = \
        ADMIN_PHONE
    db.session.scalars(select(StaffUser).filter_by(username="demo-village")).one().phone = \
        VILLAGE_PHONE
    commit()
    return {s.username: s for s in db.session.scalars(select(StaffUser))}


def _alert(staff, names, kind="cabinet_offline:1", sms=("自助机柜离线", "东湖村卫生室")):
    staff_notices.notify([staff[n] for n in names], kind, "东湖村卫生室机柜离线。", sms=sms)
    commit()


def _statuses():
    return sorted((n.staff_id, n.sms_status) for n in db.session.scalars(select(StaffNotice)))


@pytest.mark.parametrize("hour, quiet", [(20, False), (21, True), (23, True), (0, True),
                                         (7, True), (8, False), (12, False)])
def test_quiet_hours_are_china_nights(app_ctx, hour, quiet):
    assert in_quiet_hours(datetime(2027, 3, 3, hour, 30, tzinfo=CHINA)) is quiet


def test_an_alert_is_texted_once_to_those_with_a_number(staff, sms_gateway):
    with at_china(MORNING):
        _alert(staff, ["demo-admin", "demo-village", "demo-reviewer"])
        assert send_pending_alerts() == 2
        commit()
        assert send_pending_alerts() == 0
    texts = {m["phone"]: m["text"] for m in sms_gateway.outbox}
    assert set(texts) == {ADMIN_PHONE, VILLAGE_PHONE}
    assert texts[ADMIN_PHONE] == \
        "【镇卫健办】工作提醒：自助机柜离线（东湖村卫生室），请登录工作台处理。"
    assert sorted(s for _, s in _statuses()) == ["no_phone", "sent", "sent"]


def test_a_night_alert_waits_for_the_morning(staff, sms_gateway):
    night = datetime(2027, 3, 2, 23, 10, tzinfo=CHINA)
    with at_china(night):
        _alert(staff, ["demo-admin"])
        assert send_pending_alerts() == 0
    with at_china(night + timedelta(hours=8, minutes=40)):  # 07:50
        assert send_pending_alerts() == 0
    assert sms_gateway.outbox == []
    with at_china(night + timedelta(hours=9)):  # 08:10
        assert send_pending_alerts() == 1
    assert [m["phone"] for m in sms_gateway.outbox] == [ADMIN_PHONE]


def test_an_alert_older_than_a_day_is_not_texted(staff, sms_gateway):
    with at_china(MORNING - timedelta(days=2)):
        _alert(staff, ["demo-admin"])
    with at_china(MORNING):
        assert send_pending_alerts() == 0
    assert _statuses() == [(staff["demo-admin"].id, "stale")]


def test_a_gateway_that_cannot_answer_leaves_the_alert_for_the_next_run(staff, sms_gateway):
    with at_china(MORNING):
        _alert(staff, ["demo-admin"])
        sms_gateway.fail_next("InternalError")
        assert send_pending_alerts() == 0
        commit()
        assert _statuses() == [(staff["demo-admin"].id, "pending")]
        assert send_pending_alerts() == 1
    assert len(sms_gateway.outbox) == 1


def test_a_point_running_out_alerts_its_keepers_by_text(staff, sms_gateway):
    point = db.session.scalars(select(SupplyPoint).filter_by(kind="cabinet")).first()
    row = db.session.scalars(select(PointItem).filter_by(point_id=point.id)).first()
    row.on_hand, row.held = 0, 0
    commit()
    row.on_hand, row.held = 0, 0
    with at_china(MORNING):
        raise_restock_task_if_low(point.id, row.item_id)
        raise_restock_task_if_low(point.id, row.item_id)  # again: still one notice each
        commit()
        notices = list(db.session.scalars(select(StaffNotice).filter_by(
            kind=f"stock_out:{point.id}:{row.item_id}")))
        assert {n.staff_id for n in notices} >= {staff["demo-admin"].id}
        assert len(notices) == len({n.staff_id for n in notices})
        assert all(n.sms_params[0] == "药具缺货" for n in notices)
        assert send_pending_alerts() >= 1


def test_staff_phone_is_set_by_the_office_and_shown_masked(client, staff):
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-admin", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    reviewer = staff["demo-reviewer"].id
    changed = client.put(f"/api/v1/staff/accounts/{reviewer}", headers=headers,
                         json={"phone": "138 0013 8000"})
    assert changed.status_code == 200 and changed.get_json()["phone"] == "138****8000"
    bad = client.put(f"/api/v1/staff/accounts/{reviewer}", headers=headers,
                     json={"phone": "0571-88888888"})
    assert bad.status_code == 422 and error_code(bad) == "staff.phone_invalid"
    assert "手机号码" in bad.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(StaffUser, reviewer).phone == "13800138000"
    removed = client.put(f"/api/v1/staff/accounts/{reviewer}", headers=headers,
                         json={"phone": None})
    assert removed.get_json()["phone"] is None
