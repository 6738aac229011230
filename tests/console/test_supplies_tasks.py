"""药具待办, 指导记录 and 月度发放 in the console: tasks in scope with what the task service
lets staff do (closing twice does nothing twice), guidance recorded without keeping or
showing the person, and the month's distribution as tables."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.console.supplies_world import SuppliesWorld, send_form
from wxapp.extensions import db
from wxapp.models import GuidanceRecord, Pickup, SupplyTask
from wxapp.testing.people import make_id_number

TASKS = "/console/supplies/tasks"
GUIDANCE = "/console/supplies/guidance"


@pytest.fixture
def world(app):
    return SuppliesWorld(app)


def _task(world, kind: str) -> SupplyTask:
    return world.read(select(SupplyTask).filter_by(kind=kind))[0]


def test_restock_task_is_listed_and_closed_once(console, world):
    world.threshold("CAB-DH-01", "condom-m", 60)
    task = _task(world, "restock")
    client, _ = console.sign_in("village_worker")
    page = client.get(TASKS).get_data(as_text=True)
    assert "东湖村卫生室自助发放机的避孕套（中号）只剩 60只，请补货。" in page
    assert f'action="/console/supplies/tasks/{task.id}/done"' in page
    done = console.post(client, f"{TASKS}/{task.id}/done", {"back": TASKS + "?kind=restock"},
                        token_from=TASKS)
    assert done.status_code == 303 and done.headers["Location"] == TASKS + "?kind=restock"
    assert "任务已标记为处理完毕。" in client.get(TASKS).get_data(as_text=True)
    again = console.post(client, f"{TASKS}/{task.id}/done", token_from=TASKS)
    assert again.status_code == 303
    assert "这个任务已经处理过了，本次没有重复处理。" in client.get(TASKS).get_data(as_text=True)
    assert _task(world, "restock").status == "done"
    assert "避孕套（中号）只剩" in client.get(TASKS + "?status=done").get_data(as_text=True)


def test_another_villages_task_is_not_found(console, world):
    world.threshold("CAB-XL-01", "condom-m", 60)
    task = _task(world, "restock")
    client, _ = console.sign_in("village_worker", village="东湖村")
    assert "西岭工业园" not in client.get(TASKS).get_data(as_text=True)
    response = console.post(client, f"{TASKS}/{task.id}/done", token_from=TASKS)
    assert response.status_code == 404
    assert _task(world, "restock").status == "open"


def test_unconfirmed_dispense_is_answered_once(console, world):
    pickup_id = world.unconfirmed_pickup()
    task = _task(world, "dispense_check")
    client, _ = console.sign_in("village_worker")
    page = client.get(TASKS).get_data(as_text=True)
    assert "出货待确认" in page and "未出货，退回预留" in page
    # A dispense check cannot simply be closed: the stock would stay held.
    refused = console.post(client, f"{TASKS}/{task.id}/done", token_from=TASKS)
    assert refused.status_code == 303
    assert "请先到机柜清点，确认这次是否出货。" in client.get(TASKS).get_data(as_text=True)
    answered = console.post(client, f"{TASKS}/{task.id}/dispense-check", {"dispensed": "yes"},
                            token_from=TASKS)
    assert answered.status_code == 303
    again = console.post(client, f"{TASKS}/{task.id}/dispense-check", {"dispensed": "no"},
                         token_from=TASKS)
    assert again.status_code == 303
    assert "没有重复处理" in client.get(TASKS).get_data(as_text=True)
    assert world.read(select(Pickup.status).filter_by(id=pickup_id)) == ["dispensed"]
    assert world.level("CAB-DH-01", "condom-m") == 58
    assert world.problems() == []


def test_dispense_check_needs_an_answer(console, world):
    world.unconfirmed_pickup()
    task = _task(world, "dispense_check")
    client, _ = console.sign_in("township_admin")
    console.post(client, f"{TASKS}/{task.id}/dispense-check", {"dispensed": "maybe"},
                 token_from=TASKS)
    assert "请选择“已出货”或“未出货”。" in client.get(TASKS).get_data(as_text=True)
    assert _task(world, "dispense_check").status == "open"


def test_offline_cabinets_head_the_task_list(console, world):
    world.status("CAB-XL-01", "offline")
    client, _ = console.sign_in("township_admin")
    page = client.get(TASKS).get_data(as_text=True)
    assert "现在不能使用的自助发放机" in page and "西岭工业园自助发放机" in page


def test_unknown_task_filters_are_said_and_ignored(console, world):
    client, _ = console.sign_in("township_admin")
    page = client.get(TASKS + "?status=gone&kind=nonsense")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "“状态”的值不正确" in text and "没有这类待办" in text


def test_guidance_is_recorded_once_without_keeping_or_showing_the_person(console, world, app):
    client, _ = console.sign_in("clinic")
    number = make_id_number(sequence="124")
    pill = world.items["pill-combined"]
    response, token = send_form(console, client, GUIDANCE, {"id_number": number,
                                                            "item_id": pill})
    assert response.status_code == 303
    page = client.get(GUIDANCE).get_data(as_text=True)
    assert "已登记用药指导：复方口服避孕药（短效）。" in page
    assert number not in page and number[-4:] not in page
    assert "测试医生" in page
    again, _ = send_form(console, client, GUIDANCE, {"id_number": number, "item_id": pill},
                         token=token)
    assert again.status_code == 303
    with app.app_context():
        records = db.session.scalars(select(GuidanceRecord)).all()
        assert len(records) == 1 and number not in records[0].holder_key


@pytest.mark.parametrize(("data", "message"), [
    ({"id_number": ""}, "请填写居民身份证号码。"),
    ({"id_number": "12345"}, "身份证号码应为18位"),
    ({"item_id": ""}, "请选择需要用药指导的药具。"),
])
def test_bad_guidance_input_is_refused(console, world, data, message):
    client, _ = console.sign_in("village_worker")
    send = dict({"id_number": make_id_number(sequence="124"),
                 "item_id": world.items["pill-combined"]}, **data)
    response, _ = send_form(console, client, GUIDANCE, send)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert world.read(select(GuidanceRecord)) == []


def test_item_without_guidance_is_not_offered(console, world):
    client, _ = console.sign_in("village_worker")
    response, _ = send_form(console, client, GUIDANCE, {
        "id_number": make_id_number(sequence="124"), "item_id": world.items["condom-m"]})
    assert response.status_code == 422
    assert "请选择需要用药指导的药具。" in response.get_data(as_text=True)


def test_village_worker_sees_only_the_guidance_she_recorded(console, world):
    office, _ = console.sign_in("township_admin")
    send_form(console, office, GUIDANCE, {"id_number": make_id_number(sequence="124"),
                                          "item_id": world.items["pill-combined"]})
    worker, _ = console.sign_in("village_worker")
    assert "暂无指导记录。" in worker.get(GUIDANCE).get_data(as_text=True)
    assert "测试管理员" in office.get(GUIDANCE).get_data(as_text=True)


def test_monthly_distribution_has_a_month_picker_and_tables(console, world):
    client, _ = console.sign_in("township_admin")
    page = client.get("/console/supplies/report").get_data(as_text=True)
    assert 'type="month"' in page and "按药具汇总" in page
    # The demo's issues this month show as restocking at each point.
    assert "补货数量" in page and "东湖村卫生室自助发放机" in page
    other = client.get("/console/supplies/report?month=2019-02").get_data(as_text=True)
    assert "2019年2月" in other and "这个月没有发放、补货或报损记录。" in other
    bad = client.get("/console/supplies/report?month=2026-13").get_data(as_text=True)
    assert "月份格式应为 2026-11，已显示本月。" in bad


def test_village_worker_report_covers_her_village(console, world):
    client, _ = console.sign_in("village_worker", village="西岭村")
    page = client.get("/console/supplies/report").get_data(as_text=True)
    assert "西岭工业园自助发放机" in page and "东湖村卫生室" not in page


@pytest.mark.postgres_only
def test_two_workers_closing_one_task_at_once_close_it_once(app, console, world):
    from tests.helpers import all_at_once, committed_or_refused
    from wxapp.models import AuditLog, StaffUser
    from wxapp.services.supplies import tasks

    world.threshold("CAB-DH-01", "condom-m", 60)
    task_id = _task(world, "restock").id
    workers = [console.make_staff("village_worker").id for _ in range(2)]

    def worker_closes(staff_id):
        return committed_or_refused(app, lambda: db.session.get(StaffUser, staff_id),
                                    lambda staff: tasks.close_task(staff, task_id), "closed")

    outcomes = all_at_once([worker_closes(worker) for worker in workers])
    assert sorted(outcomes) == ["closed", "supplies.task_closed"]
    audits = world.read(select(AuditLog).filter_by(action="supplies.task_done",
                                                   target_id=str(task_id)))
    assert len(audits) == 1
