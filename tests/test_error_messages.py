"""Residents read every validation message in Chinese, numbers included; nothing in English
reaches the phone even for a message nobody has translated yet."""
from __future__ import annotations

import logging

from tests.helpers import login
from wxapp.extensions import db
from wxapp.models import Pickup
from wxapp.web.errors import _translate


def _strings(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)
    elif isinstance(value, str):
        yield value


def test_a_range_check_says_the_range_in_chinese(client, sim, app_ctx):
    me = login(client, sim, "ranges")
    response = client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": 1, "items": [{"item_id": 1, "quantity": -1}]})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {
        "items": {"0": {"quantity": ["请填写1到1000之间的数。"]}}}
    assert db.session.query(Pickup).count() == 0


def test_a_broken_json_body_is_explained_in_chinese(client, sim):
    me = login(client, sim, "broken")
    response = client.post("/api/v1/me/bookings", headers=me, data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    body = response.get_json()["error"]
    assert body["code"] == "request.bad"
    assert all("JSON" in s and "有效" in s for s in _strings(body["details"]))


def test_garbage_everywhere_gets_chinese_details_only(client, sim):
    me = login(client, sim, "garbage")
    answers = [
        client.post("/api/v1/me/bookings", headers=me, json={"slot_id": "x", "waitlist": 3,
                                                              "extra": True}),
        client.put("/api/v1/me/screening-couple", headers=me, json={"wife": [], "child_order": 0}),
        client.post("/api/v1/me/pickups", headers=me, json={"point_id": None, "items": "套"}),
        client.post("/api/v1/faq/ask", json={"question": "x" * 5000}),
    ]
    for response in answers:
        assert response.status_code == 422, response.get_json()
        for message in _strings(response.get_json()["error"]):
            if message != "request.validation_failed":
                assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_an_untranslated_message_becomes_a_plain_chinese_one_and_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="wxapp.web.errors"):
        assert _translate({"f": ["Not a valid flux capacitor."]}) == {"f": ["填写的内容不正确。"]}
    assert "flux capacitor" in caplog.text
    assert _translate(["身份证号码校验位不正确。"]) == ["身份证号码校验位不正确。"]


def test_a_length_check_says_which_bound_was_missed_and_by_how_much(client):
    # The FAQ question takes 1 to 500 characters: marshmallow alone would say only
    # "Length must be between 1 and 500", which does not tell whether to add or cut.
    empty = client.post("/api/v1/faq/ask", json={"question": ""})
    assert empty.status_code == 422
    assert empty.get_json()["error"]["details"] == {"question": ["至少填写1个字。"]}
    long = client.post("/api/v1/faq/ask", json={"question": "问" * 501})
    assert long.get_json()["error"]["details"] == {"question": ["最多填写500个字（现在501个字）。"]}


def test_a_list_too_long_counts_items_not_characters(client, app_ctx):
    from wxapp.seeding.seed import DEMO_STAFF_PASSWORD, seed_demo
    from wxapp.transactions import commit

    seed_demo()
    commit()
    token = client.post("/api/v1/staff/auth/login", json={
        "username": "demo-clinic", "password": DEMO_STAFF_PASSWORD}).get_json()["token"]
    response = client.post("/api/v1/staff/screening/bookings/1/results",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"risk_category": "general", "risk_factors": ["age"] * 21,
                                 "advice": "好"})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert details["risk_factors"] == ["最多填写20项。"]
    assert details["advice"] == ["至少填写2个字。"]


def test_schemas_outside_the_request_bounds_still_say_both_numbers():
    assert _translate(["Length must be between 2 and 100."]) == ["请填写2到100个字。"]
    assert _translate(["Length must be 6."]) == ["应填写6个字。"]
