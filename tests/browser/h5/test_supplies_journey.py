"""Free contraceptives in the resident pages, end to end in Chromium at 360 x 640: points by
village or near her shared location, a code in digits and as a QR with its expiry (a double
tap asks once), cancel, and how it went."""
from __future__ import annotations

from tests.browser.h5.conftest import (
    assert_accessible,
    assert_elderly_friendly,
    phone_context,
    shoot,
)


def pickups_of(client, token):
    return client.get("/api/v1/me/pickups",
                      headers={"Authorization": f"Bearer {token}"}).get_json()


def test_resident_gets_a_code_by_village_cancels_it_and_says_how_it_went(
        page, token_for, client, app, stocked_township):
    token = token_for("h5-supplies")
    cabinet = stocked_township["points"]["CAB-DH-01"]
    condom = stocked_township["items"]["condom-m"]
    page.goto(f"/h5/supplies#token={token}")
    page.locator("#find").wait_for()
    page.locator("#village").select_option(str(stocked_township["villages"]["东湖村"]))
    point = page.locator(f'[data-point="{cabinet}"]')
    point.wait_for()
    assert "现在开着" in point.inner_text()
    point.locator(f"#qty-{cabinet}-{condom}").select_option("2")
    assert_elderly_friendly(page)
    shoot(page, "supplies-1-points")
    point.get_by_role("button", name="要领取码").dblclick()

    page.locator("#code").wait_for()
    held = [p for p in pickups_of(client, token) if p["status"] == "held"]
    assert len(held) == 1 and held[0]["items"][0]["quantity"] == 2
    assert page.locator("#code-digits").inner_text() == held[0]["code"]
    assert len(held[0]["code"]) == 8
    page.locator("#code-qr svg[role=img]").wait_for()
    assert "前到东湖村卫生室自助发放机" in page.locator("#code-sentence").inner_text()
    assert_elderly_friendly(page)
    assert_accessible(page)
    shoot(page, "supplies-2-code")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="不要了，取消领取码").click()
    page.locator('#history [data-status="cancelled"]').wait_for()
    assert page.locator("#code").is_hidden()

    # Asked again, taken at the cabinet (the cabinet's own API is tested in tests/supplies).
    point.locator(f"#qty-{cabinet}-{condom}").select_option("1")
    point.get_by_role("button", name="要领取码").click()
    page.locator("#code").wait_for()
    from wxapp.extensions import db
    from wxapp.models import Pickup
    from wxapp.transactions import commit

    with app.app_context():
        db.session.get(Pickup, pickups_of(client, token)[0]["id"]).status = "dispensed"
        commit()
    page.reload()
    dispensed = page.locator('#history [data-status="dispensed"]')
    dispensed.get_by_role("button", name="用着挺好").click()
    dispensed.filter(has_text="您说：用着挺好").wait_for()
    assert pickups_of(client, token)[0]["follow_up_answer"] == "fine"
    shoot(page, "supplies-3-follow-up")


def test_resident_who_shares_her_location_sees_the_nearest_points_first(
        browser, live_app, token_for, stocked_township):
    context = phone_context(browser, live_app, permissions=["geolocation"],
                            geolocation={"latitude": 31.9645, "longitude": 118.8075})
    try:
        page = context.new_page()
        page.goto(f"/h5/supplies#token={token_for('h5-nearby')}")
        page.get_by_role("button", name="找离我最近的").click()
        page.locator("#find-sentence").filter(has_text="离您最近的发放点").wait_for()
        first = page.locator("#points li").first
        assert first.get_attribute("data-point") == str(stocked_township["points"]["CAB-DH-01"])
        assert "离您约" in first.inner_text()
    finally:
        context.close()


def test_quantity_chosen_while_the_list_is_refreshed_is_kept(page, token_for, client,
                                                             stocked_township):
    """After a cancelled code the list shows again at once and its fresh copy follows; on a
    slow answer she has already chosen by then, and the fresh rows must keep her choice."""
    token = token_for("h5-slow-list")
    cabinet = stocked_township["points"]["CAB-DH-01"]
    condom = stocked_township["items"]["condom-m"]
    quantity = f"#qty-{cabinet}-{condom}"
    page.goto(f"/h5/supplies#token={token}")
    page.locator("#find").wait_for()
    page.locator("#village").select_option(str(stocked_township["villages"]["东湖村"]))
    point = page.locator(f'[data-point="{cabinet}"]')
    point.locator(quantity).select_option("2")
    point.get_by_role("button", name="要领取码").click()
    page.locator("#code").wait_for()

    held = []
    page.route("**/api/v1/supply-points?*", lambda route: held.append(route))
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_request("**/api/v1/supply-points?*"):
        page.get_by_role("button", name="不要了，取消领取码").click()
    # The fresh list is on its way (held here); she chooses from the one shown meanwhile.
    point.locator(quantity).select_option("1")
    page.eval_on_selector(f'[data-point="{cabinet}"]', "row => { row.dataset.shown = 'before'; }")
    with page.expect_response("**/api/v1/supply-points?*"):
        held.pop().continue_()
    page.locator(f'[data-point="{cabinet}"]:not([data-shown])').wait_for()
    page.unroute("**/api/v1/supply-points?*")
    assert point.locator(quantity).input_value() == "1"

    point.get_by_role("button", name="要领取码").click()
    page.locator("#code").wait_for()
    codes = [p for p in pickups_of(client, token) if p["status"] == "held"]
    assert len(codes) == 1 and codes[0]["items"][0]["quantity"] == 1
