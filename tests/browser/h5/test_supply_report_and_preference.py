"""Free contraceptives, the smaller journeys, in Chromium at 360 x 640: telling staff that a
point has a problem (in words that say nothing of what she came for; a double tap reports
once), how she would rather get them (saved, shown again), and her usual point and items
chosen for her from her last pickup."""
from __future__ import annotations

from sqlalchemy import select

from tests.browser.h5.conftest import assert_accessible, assert_elderly_friendly, shoot


def open_reports(app, point_id):
    from wxapp.extensions import db
    from wxapp.models import SupplyTask

    with app.app_context():
        return [(t.kind, t.detail) for t in db.session.scalars(select(SupplyTask).filter_by(
            kind="point_report", point_id=point_id, status="open"))]


def test_resident_reports_a_broken_cabinet_once_in_discreet_words(page, token_for, app,
                                                                   stocked_township):
    cabinet = stocked_township["points"]["CAB-DH-01"]
    page.goto(f"/h5/supplies#token={token_for('h5-report')}")
    page.locator("#find").wait_for()
    page.locator("#village").select_option(str(stocked_township["villages"]["东湖村"]))
    point = page.locator(f'[data-point="{cabinet}"]')
    point.wait_for()
    report = point.locator("details.report")
    report.get_by_text("这里有问题？告诉工作人员").click()
    # Nothing in the words says what the point hands out or who she is.
    assert "不会留下您的名字和领了什么" in report.inner_text()
    for label in ("机器坏了", "没货了", "其他问题"):
        assert report.get_by_role("button", name=label).is_visible()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "supplies-report-1-open")

    sent = []
    page.on("request", lambda r: sent.append(r.headers.get("idempotency-key"))
            if r.url.endswith(f"/supply-points/{cabinet}/reports") else None)
    report.get_by_label("想多说几句（可以不写）").fill("屏幕不亮")
    report.get_by_role("button", name="机器坏了").dblclick()
    report.get_by_role("status").filter(has_text="已经告诉工作人员了").wait_for()
    assert len(sent) == 1 and sent[0]
    [(_kind, detail)] = open_reports(app, cabinet)
    assert "设备故障" in detail and "屏幕不亮" in detail
    shoot(page, "supplies-report-2-sent")


def test_resident_says_how_she_would_rather_get_them_and_sees_it_kept(page, token_for, client):
    token = token_for("h5-preference")
    page.goto(f"/h5/supplies#token={token}")
    form = page.locator("#preference")
    form.wait_for()
    assert "还没有选过" in page.locator("#preference-state").inner_text()

    page.get_by_role("button", name="保存").click()
    assert page.locator("#mode-problem").inner_text() == "请先选一种方式。"
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me/supply-preference", headers=mine).get_json()["mode"] is None

    page.get_by_label("需要时打电话，送到家里").check()
    page.get_by_label("想多说几句（可以不写）", exact=True).last.fill("下午在家")
    page.get_by_role("button", name="保存").click()
    page.locator("#preference-state").filter(has_text="已经记下了").wait_for()
    assert client.get("/api/v1/me/supply-preference", headers=mine).get_json() == {
        "mode": "delivery_on_request", "note": "下午在家"}
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "supplies-preference")

    page.reload()
    page.locator("#preference-state").filter(has_text="需要时打电话，送到家里").wait_for()
    assert page.get_by_label("需要时打电话，送到家里").is_checked()
    assert page.locator("#preference-note").input_value() == "下午在家"


def test_her_last_point_comes_first_with_what_she_took_chosen(page, token_for, client, app,
                                                              stocked_township):
    from wxapp.extensions import db
    from wxapp.models import Pickup
    from wxapp.transactions import commit

    token = token_for("h5-usual")
    mine = {"Authorization": f"Bearer {token}"}
    cabinet = stocked_township["points"]["CAB-DH-01"]
    condom = stocked_township["items"]["condom-m"]
    asked = client.post("/api/v1/me/pickups", headers=mine, json={
        "point_id": cabinet, "items": [{"item_id": condom, "quantity": 2}]})
    assert asked.status_code == 201, asked.get_json()
    with app.app_context():
        db.session.get(Pickup, asked.get_json()["id"]).status = "dispensed"
        commit()

    page.goto(f"/h5/supplies#token={token}")
    page.locator("#usual-sentence").filter(has_text="您上次在").wait_for()
    page.locator("#village").select_option(str(stocked_township["villages"]["东湖村"]))
    first = page.locator("#points > li").first
    first.wait_for()
    assert first.get_attribute("data-point") == str(cabinet)
    assert "您上次在这里领的" in first.inner_text()
    assert first.locator(f"#qty-{cabinet}-{condom}").input_value() == "2"
    assert_elderly_friendly(page)
    shoot(page, "supplies-usual-point")
