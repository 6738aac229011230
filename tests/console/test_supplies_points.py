"""药具发放点 in the console: the office sees every point of the township with the state that
matters most and a sketch map; a village worker sees her village's points only; reviewers
and clinic staff, whom the staff API gives no ledger, are refused."""
from __future__ import annotations

import pytest

from tests.console.supplies_world import SuppliesWorld

PAGES = ("/console/supplies/points", "/console/supplies/tasks", "/console/supplies/report",
         "/console/supplies/issue", "/console/supplies/transfer", "/console/supplies/loss",
         "/console/supplies/stock-take", "/console/supplies/receipt")


@pytest.fixture
def world(app):
    return SuppliesWorld(app)


def test_office_sees_each_point_with_its_state_on_a_map_and_in_a_table(console, world):
    world.status("CAB-XL-01", "fault")
    world.threshold("CAB-DH-01", "condom-m", 60)
    client, _ = console.sign_in("township_admin")
    page = client.get("/console/supplies/points").get_data(as_text=True)
    assert "全镇共 4 个发放点" in page and "示范镇药具库房" in page
    table = page[page.index('id="table-points"'):]
    assert '<span class="state state-fault">故障</span>' in table
    assert '<span class="state state-low">库存偏低</span>' in table
    assert "避孕套（中号）库存偏低（可用 60只）" in table
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "2号 东湖村卫生室自助发放机：库存偏低" in svg
    assert "3号 西岭工业园自助发放机：故障" in svg
    assert "style=" not in svg


def test_village_worker_sees_her_village_points_only(console, world):
    client, _ = console.sign_in("village_worker", village="东湖村")
    page = client.get("/console/supplies/points").get_data(as_text=True)
    assert "东湖村卫生室自助发放机" in page
    assert "西岭工业园" not in page and "药具库房" not in page
    assert "本村共 1 个发放点" in page
    # Her own page, then another village's point and the township store: not found.
    assert client.get(f"/console/supplies/points/{world.points['CAB-DH-01']}").status_code == 200
    for code in ("CAB-XL-01", "STORE-001", "CNT-WSY-01"):
        assert client.get(f"/console/supplies/points/{world.points[code]}").status_code == 404


def test_point_page_shows_stock_by_batch_and_the_ledger(console, world):
    client, _ = console.sign_in("township_admin")
    page = client.get(f"/console/supplies/points/{world.points['CAB-DH-01']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "DEMO-2026-01" in text and "2028-06-30" in text
    assert "领入/补货" in text and "+60只" in text and "示范镇药具库房" in text


def test_a_point_that_does_not_exist_is_not_found(console, world):
    client, _ = console.sign_in("township_admin")
    assert client.get("/console/supplies/points/99999").status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "clinic"])
def test_roles_without_the_ledger_are_refused(console, world, role):
    client, _ = console.sign_in(role)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    response = console.post(client, "/console/supplies/issue", {
        "point_id": world.points["CAB-DH-01"], "item_id": world.items["condom-m"],
        "quantity": "5", "form_token": "0" * 32})
    assert response.status_code == 403
    assert world.movements("issue") == 18  # the demo's: six items to each of three points


def test_only_the_office_records_receipts(console, world):
    client, _ = console.sign_in("village_worker")
    assert client.get("/console/supplies/receipt").status_code == 403
    page = client.get("/console/supplies/points").get_data(as_text=True)
    assert "/console/supplies/receipt" not in page


def test_clinic_staff_record_guidance_but_reviewers_do_not(console, world):
    clinic, _ = console.sign_in("clinic")
    assert clinic.get("/console/supplies/guidance").status_code == 200
    reviewer, _ = console.sign_in("reviewer")
    assert reviewer.get("/console/supplies/guidance").status_code == 403


def test_navigation_shows_the_supplies_pages_to_office_and_village_workers(console, world):
    for role, shown in (("township_admin", True), ("village_worker", True),
                        ("reviewer", False)):
        client, _ = console.sign_in(role)
        page = client.get("/console/account").get_data(as_text=True)
        assert ('href="/console/supplies/points"' in page) is shown, role
        assert ('href="/console/supplies/tasks"' in page) is shown, role
