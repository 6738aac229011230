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
