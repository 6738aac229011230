"""The ledger's forms in the console: what they record, what they refuse (in Chinese, next to
the field, nothing written), and that a form sent twice is recorded once. After each story
the books still balance (账、卡、物相符)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.console.supplies_world import SuppliesWorld, form_token, send_form
from wxapp.models import AuditLog

RECEIPT = "/console/supplies/receipt"
ISSUE = "/console/supplies/issue"
TRANSFER = "/console/supplies/transfer"
LOSS = "/console/supplies/loss"
STOCK_TAKE = "/console/supplies/stock-take"


@pytest.fixture
def world(app):
    return SuppliesWorld(app)


@pytest.fixture
def office(console, world):
    client, _ = console.sign_in("township_admin")
    return client


def _receipt(world, **changes) -> dict:
    return dict({"batch_no": "scan-2031-07", "item_id": world.items["condom-m"],
                 "expires_on": "2031-07-31", "quantity": "200"}, **changes)


def test_office_records_a_receipt_into_the_store(console, world, office):
    response, _ = send_form(console, office, RECEIPT, _receipt(world))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/console/supplies/points/{world.points['STORE-001']}"
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    # Scanned numbers keep to capitals, whatever the keyboard's state was.
    assert "已入库：避孕套（中号） 200只，批号 SCAN-2031-07，有效期至 2031-07-31。" in page
    assert world.level("STORE-001", "condom-m", "SCAN-2031-07") == 200
    assert world.problems() == []


def test_a_receipt_sent_twice_is_recorded_once(console, world, office):
    before = world.movements("receipt")
    first, token = send_form(console, office, RECEIPT, _receipt(world))
    again, _ = send_form(console, office, RECEIPT, _receipt(world), token=token)
    assert first.status_code == 303 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert "这张表单已经提交过，本次没有重复登记。" in office.get(
        again.headers["Location"]).get_data(as_text=True)
    assert world.movements("receipt") == before + 1
    assert world.level("STORE-001", "condom-m", "SCAN-2031-07") == 200
    assert world.problems() == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("quantity", "", "请填写数量。"),
    ("quantity", "abc", "数量必须是整数，例如 20。"),
    ("quantity", "2.5", "数量必须是整数，例如 20。"),
    ("quantity", "0", "数量必须大于0。"),
    ("quantity", "-3", "数量必须是整数，例如 20。"),
    ("quantity", "1000001", "数量不能超过 1000000。"),
    ("batch_no", "", "请填写或扫描批号。"),
    ("batch_no", "X" * 33, "批号不能超过 32 个字符。"),
    ("expires_on", "2031/07/31", "请填写有效期，格式如 2028-06-30。"),
    ("item_id", "", "请选择药具。"),
    ("item_id", "99999", "请选择药具。"),
])
def test_bad_receipt_input_is_refused_next_to_its_field(console, world, office, field, value,
                                                        message):
    before = world.movements("receipt")
    response, token = send_form(console, office, RECEIPT, _receipt(world, **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="field-error" id="error-{field}">{message}</p>' in page
    assert 'aria-invalid="true"' in page and f'value="{token}"' in page
    assert world.movements("receipt") == before
    # Fixed and sent again with the same form: the refusal was not remembered.
    fixed, _ = send_form(console, office, RECEIPT, _receipt(world), token=token)
    assert fixed.status_code == 303 and world.movements("receipt") == before + 1


def test_full_width_digits_from_a_chinese_keyboard_are_read(console, world, office):
    response, _ = send_form(console, office, RECEIPT, _receipt(world, quantity="１２０"))
    assert response.status_code == 303
    assert world.level("STORE-001", "condom-m", "SCAN-2031-07") == 120


def test_a_batch_number_with_another_expiry_is_refused(console, world, office):
    response, _ = send_form(console, office, RECEIPT, _receipt(world, batch_no="DEMO-2026-01"))
    assert response.status_code == 422
    assert "批号 DEMO-2026-01 已登记的有效期是 2028-06-30，请核对。" in response.get_data(
        as_text=True)
    assert world.level("STORE-001", "condom-m") == 2000 - 3 * 60


def test_village_worker_takes_stock_into_her_point(console, world):
    client, _ = console.sign_in("village_worker")
    page = client.get(ISSUE).get_data(as_text=True)
    # Her only point is chosen for her; the store and other villages are not offered.
    assert f'<option value="{world.points["CAB-DH-01"]}" selected>' in page
    assert "西岭工业园" not in page
    response, _ = send_form(console, client, ISSUE, {
        "point_id": world.points["CAB-DH-01"], "item_id": world.items["gel-nonoxynol"],
        "quantity": "15"})
    assert response.status_code == 303
    assert world.level("CAB-DH-01", "gel-nonoxynol") == 75
    assert world.level("STORE-001", "gel-nonoxynol") == 2000 - 3 * 60 - 15
    assert world.problems() == []


def test_another_villages_point_in_a_form_is_not_found(console, world):
    client, _ = console.sign_in("village_worker")
    before = world.movements("issue")
    for path, data in ((ISSUE, {"point_id": world.points["CAB-XL-01"]}),
                       (LOSS, {"point_id": world.points["CAB-XL-01"], "batch_no": "DEMO-2026-01",
                               "reason": "破损"}),
                       (TRANSFER, {"from_point_id": world.points["CAB-DH-01"],
                                   "to_point_id": world.points["CAB-XL-01"]})):
        response, _ = send_form(console, client, path, dict(
            data, item_id=world.items["condom-m"], quantity="5"))
        assert response.status_code == 404, path
    assert world.movements("issue") == before and world.movements("transfer") == 0


def test_transfer_between_points_and_its_refusals(console, world, office):
    send = {"from_point_id": world.points["CAB-DH-01"], "to_point_id": world.points["CAB-XL-01"],
            "item_id": world.items["film-nonoxynol"]}
    same, _ = send_form(console, office, TRANSFER, dict(
        send, to_point_id=world.points["CAB-DH-01"], quantity="5"))
    assert same.status_code == 422
    assert '<p class="field-error" id="error-to_point_id">调出和调入不能是同一个发放点。</p>' \
        in same.get_data(as_text=True)
    too_many, _ = send_form(console, office, TRANSFER, dict(send, quantity="61"))
    assert too_many.status_code == 422
    assert "库存不足（或已被居民领取码预留），请核对数量。" in too_many.get_data(as_text=True)
    assert world.movements("transfer") == 0
    moved, _ = send_form(console, office, TRANSFER, dict(send, quantity="20"))
    assert moved.status_code == 303
    assert world.level("CAB-DH-01", "film-nonoxynol") == 40
    assert world.level("CAB-XL-01", "film-nonoxynol") == 80
    assert world.problems() == []


def test_loss_needs_a_known_batch_and_a_reason(console, world, office):
    send = {"point_id": world.points["CAB-DH-01"], "item_id": world.items["condom-l"],
            "batch_no": "DEMO-2026-01", "quantity": "4", "reason": "受潮破损"}
    unknown, _ = send_form(console, office, LOSS, dict(send, batch_no="NO-SUCH"))
    assert unknown.status_code == 422
    assert "没有找到这种药具的这个批号，请核对。" in unknown.get_data(as_text=True)
    no_reason, _ = send_form(console, office, LOSS, dict(send, reason="  "))
    assert "请填写原因。" in no_reason.get_data(as_text=True)
    assert world.movements("loss") == 0
    lost, token = send_form(console, office, LOSS, send)
    again, _ = send_form(console, office, LOSS, send, token=token)
    assert lost.status_code == again.status_code == 303
    assert world.movements("loss") == 1 and world.level("CAB-DH-01", "condom-l") == 56
    assert world.problems() == []


def test_stock_take_sets_the_books_to_the_count(console, world, app):
    client, staff = console.sign_in("village_worker")
    path = (f"{STOCK_TAKE}?point={world.points['CAB-DH-01']}&item={world.items['condom-s']}"
            "&batch=DEMO-2026-01")
    page = client.get(path).get_data(as_text=True)
    assert 'value="DEMO-2026-01"' in page and "autofocus" in page
    send = {"point_id": world.points["CAB-DH-01"], "item_id": world.items["condom-s"],
            "batch_no": "DEMO-2026-01", "reason": "月末盘点"}
    negative, _ = send_form(console, client, STOCK_TAKE, dict(send, counted="-2"))
    assert negative.status_code == 422
    assert "实际清点数量必须是整数，例如 20。" in negative.get_data(as_text=True)
    counted, token = send_form(console, client, STOCK_TAKE, dict(send, counted="57"))
    landing = client.get(counted.headers["Location"]).get_data(as_text=True)
    assert "已登记盘点：避孕套（小号） 批号 DEMO-2026-01 实有 57只，账面减少 3只。" in landing
    again, _ = send_form(console, client, STOCK_TAKE, dict(send, counted="57"), token=token)
    assert counted.status_code == again.status_code == 303
    assert world.level("CAB-DH-01", "condom-s") == 57
    assert world.movements("adjustment") == 1
    zero, _ = send_form(console, client, STOCK_TAKE, dict(send, counted="0"))
    assert zero.status_code == 303 and world.level("CAB-DH-01", "condom-s") == 0
    assert world.problems() == []
    with app.app_context():
        from wxapp.extensions import db

        takes = db.session.scalars(select(AuditLog).filter_by(
            action="supplies.stock_take", actor_id=str(staff.id))).all()
    assert len(takes) == 2


def test_a_form_without_its_token_is_refused(console, world, office):
    response = console.post(office, RECEIPT, _receipt(world), token_from=RECEIPT)
    assert response.status_code == 422
    assert "页面已过期，请刷新页面后重新填写。" in response.get_data(as_text=True)
    assert world.movements("receipt") == 6


def test_each_showing_of_a_form_has_its_own_token(office, world):
    assert form_token(office, RECEIPT) != form_token(office, RECEIPT)


@pytest.mark.postgres_only
def test_the_same_form_sent_from_two_tabs_at_once_is_recorded_once(console, world, app):
    """Two tabs (two sessions of one person) send one receipt form at the same moment: the
    second waits on the first's claim of the token, then goes where the first went."""
    first, staff = console.sign_in("township_admin")
    second = console.sign_in_as(staff)
    token = form_token(first, RECEIPT)
    sends = [dict(_receipt(world), form_token=token, csrf_token=console.csrf(c))
             for c in (first, second)]
    barrier = threading.Barrier(2)
    answers = []

    def send(client, data):
        barrier.wait()
        answers.append(client.post(RECEIPT, data=data))

    threads = [threading.Thread(target=send, args=pair)
               for pair in zip((first, second), sends, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [303, 303]
    assert len({a.headers["Location"] for a in answers}) == 1
    assert world.movements("receipt") == 7
    assert world.level("STORE-001", "condom-m", "SCAN-2031-07") == 200
    assert world.problems() == []
