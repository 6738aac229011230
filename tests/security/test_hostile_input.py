"""Hostile input gets a 4xx with the project's error body and a Chinese message, never a 500,
and nothing unbounded is stored (issue 13, items 7 and 8; /wechat pushes are tested with the
official-account endpoint)."""
from __future__ import annotations

import json

import flask_smorest
import pytest
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from tests.helpers import error_code, login
from wxapp.extensions import db
from wxapp.models import RegistrationDraft, SubscribeGrant
from wxapp.seeding.seed import DEMO_STAFF_PASSWORD
from wxapp.web.bounds import COLUMN_INT_MAX, DEFAULT_LIST_MAX, MaxEntries, MaxJsonBytes
from wxapp.web.json_body import JsonBodyParser

DEEP = "[" * 2000 + "]" * 2000
TOO_BIG_ID = 10**20


def _chinese_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.data[:300]
    body = response.get_json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body
    if code:
        assert body["code"] == code, body
    return body


def _raw_post(client, path, text: str, headers=None, method="POST"):
    return client.open(path, method=method, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers or {})


# -- JSON that Python's json module turned into a 500 ------------------------------------------
@pytest.mark.parametrize("path,wrap", [
    ("/api/v1/faq/ask", lambda deep: '{"question": ' + deep + "}"),
    ("/api/v1/staff/auth/login", lambda deep: '{"password": "x", "username": ' + deep + "}"),
])
def test_json_nested_2000_deep_is_a_400_for_anyone(client, path, wrap):
    _chinese_error(_raw_post(client, path, wrap(DEEP)), 400, "request.too_deeply_nested")


def test_a_deep_registration_draft_is_a_400_and_nothing_is_kept(client, sim, app_ctx):
    me = login(client, sim, "deep-draft")
    response = _raw_post(client, "/api/v1/me/registration-draft",
                         '{"data": {"x": ' + DEEP + "}}", headers=me, method="PUT")
    _chinese_error(response, 400, "request.too_deeply_nested")
    assert db.session.scalar(select(func.count()).select_from(RegistrationDraft)) == 0


@pytest.mark.parametrize("text", [
    '{"question": "\\ud800"}',            # a lone surrogate, escaped
    '{"question": "ok", "\\udfff": 1}',   # in a key
    '{"question": "a\\u0000b"}',          # NUL, which PostgreSQL text refuses
])
def test_unencodable_text_in_a_question_is_a_400(client, text):
    _chinese_error(_raw_post(client, "/api/v1/faq/ask", text), 400,
                   "request.invalid_characters")


@pytest.mark.parametrize("body", [
    b'{"question": 1e400}', b'{"question": NaN}', b'{"question": -Infinity}',
    b'{"question": %s}' % (b"9" * 5000),     # beyond int()'s 4,300 digits
    b'{"question": "\xff\xfe"}',             # not UTF-8
    b'{"question": "\xed\xa0\x80"}',        # a surrogate encoded as if it were UTF-8
    '\ufeff{"question": "hi"}'.encode(),     # a byte-order mark
])
def test_numbers_and_encodings_json_does_not_allow_are_a_400(client, body):
    response = client.post("/api/v1/faq/ask", data=body, content_type="application/json")
    _chinese_error(response, 400, "request.bad")


def test_a_surrogate_in_a_registration_name_is_refused_and_nothing_saved(client, resident,
                                                                          form, app_ctx):
    from wxapp.models import BirthRegistration

    text = json.dumps(form(), ensure_ascii=False).replace("王芳", "\\ud800\\udc00\\ud800")
    _chinese_error(_raw_post(client, "/api/v1/me/registrations", text, headers=resident()),
                   400, "request.invalid_characters")
    assert db.session.scalar(select(func.count()).select_from(BirthRegistration)) == 0


def test_nul_in_a_query_string_is_a_400(client):
    _chinese_error(client.get("/api/v1/faq/entries?category=a%00b"), 400,
                   "request.invalid_characters")


# -- ids beyond the column ----------------------------------------------------------------------
@pytest.mark.parametrize("number", [str(TOO_BIG_ID), str(2**31), "9" * 5000, "١٢"])
def test_an_id_in_a_path_beyond_the_column_or_not_ascii_is_a_404(client, sim, number):
    me = login(client, sim, "big-ids")
    for path in (f"/api/v1/me/registrations/{number}", f"/api/v1/me/bookings/{number}/result",
                 f"/api/v1/clinics/{number}/slots"):
        _chinese_error(client.get(path, headers=me), 404)


@pytest.mark.parametrize("code", ["abc%00", "%00", "x" * 201])
def test_text_in_a_path_with_nul_or_beyond_its_length_is_a_404(client, code):
    response = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    _chinese_error(response, 404)


def test_the_largest_integer_id_is_still_an_ordinary_404(client, sim):
    me = login(client, sim, "largest-id")
    response = client.get(f"/api/v1/me/registrations/{COLUMN_INT_MAX}", headers=me)
    _chinese_error(response, 404)


@pytest.mark.parametrize("value", [TOO_BIG_ID, 2**31, -(2**31) - 1, "100000000000000000000",
                                   1e20])
def test_an_id_in_a_body_beyond_the_column_is_a_422(client, sim, value):
    me = login(client, sim, "body-ids")
    _chinese_error(client.post("/api/v1/me/bookings", headers=me, json={"slot_id": value}), 422)
    _chinese_error(client.post("/api/v1/me/pickups", headers=me, json={
        "point_id": 1, "items": [{"item_id": value, "quantity": 1}]}), 422)


# -- cabinets ------------------------------------------------------------------------------------
@pytest.mark.parametrize("header,value", [
    ("X-Device-Signature", "\u00e9" * 64),   # Latin-1, as a WSGI server hands it over
    ("X-Device-Key", "demo-cab-1\u00a0"),
    ("X-Device-Timestamp", "\u00b2\u00b3"),  # "²³".isdigit() is True; int() refuses it
    ("X-Device-Nonce", "\u00ff" * 16),
])
def test_a_cabinet_header_that_is_not_ascii_is_a_401(client, cabinet, header, value):
    body = json.dumps({"stock": [], "faults": []}).encode()
    headers = cabinet.headers("POST", "/device/v1/heartbeat", body)
    headers[header] = value
    response = client.post("/device/v1/heartbeat", data=body, headers=headers)
    _chinese_error(response, 401)


# -- bounded storage -----------------------------------------------------------------------------
def test_a_9_mib_draft_is_refused_before_it_is_read(client, sim, app_ctx):
    me = login(client, sim, "huge-draft")
    big = json.dumps({"data": {"notes": "孕" * (3 * 1024 * 1024)}}, ensure_ascii=False)
    assert 9 * 1024 * 1024 <= len(big.encode()) < 10 * 1024 * 1024
    _chinese_error(client.put("/api/v1/me/registration-draft", headers=me, data=big,
                              content_type="application/json"), 413, "request.too_large")
    assert db.session.scalar(select(func.count()).select_from(RegistrationDraft)) == 0


def test_bodies_are_limited_by_the_kind_of_route(client, cabinet):
    from wxapp.web.input_limits import DEFAULT_BODY_BYTES, DEVICE_BODY_BYTES

    question = json.dumps({"question": "孕" * DEFAULT_BODY_BYTES})
    _chinese_error(client.post("/api/v1/faq/ask", data=question,
                               content_type="application/json"), 413, "request.too_large")
    faults = {"faults": ["门锁故障"] * (DEVICE_BODY_BYTES // 10)}
    assert DEFAULT_BODY_BYTES > len(json.dumps(faults).encode()) > DEVICE_BODY_BYTES
    _chinese_error(cabinet.post("/heartbeat", faults), 413, "request.too_large")


def test_a_draft_larger_than_a_form_is_a_422_and_the_old_draft_stays(client, sim):
    me = login(client, sim, "big-draft")
    assert client.put("/api/v1/me/registration-draft", headers=me,
                      json={"data": {"mother": {"name": "王芳"}}}).status_code == 200
    bloated = client.put("/api/v1/me/registration-draft", headers=me,
                         json={"data": {"notes": "x" * 40_000}})
    _chinese_error(bloated, 422)
    assert client.get("/api/v1/me/registration-draft", headers=me).get_json() == {
        "data": {"mother": {"name": "王芳"}}}


def test_two_thousand_invented_templates_write_no_rows(client, sim, app_ctx):
    me = login(client, sim, "grants")
    results = {f"TPL_INVENTED_{n}": "accept" for n in range(2000)}
    _chinese_error(client.post("/api/v1/me/subscribe-grants", headers=me,
                               json={"results": results}), 422)
    assert db.session.scalar(select(func.count()).select_from(SubscribeGrant)) == 0


def test_templates_invented_a_few_at_a_time_stop_at_a_bound(client, sim, app_ctx):
    from wxapp.services.notifications import MAX_TEMPLATES_PER_RESIDENT

    me = login(client, sim, "grants-drip")
    answers = [client.post("/api/v1/me/subscribe-grants", headers=me, json={"results": {
        f"TPL_DRIP_{n}_{k}": "accept" for k in range(3)}}) for n in range(10)]
    assert {a.status_code for a in answers} == {200, 422}
    assert error_code(answers[-1]) == "subscribe.too_many_templates"
    assert db.session.scalar(select(func.count()).select_from(SubscribeGrant)) <= \
        MAX_TEMPLATES_PER_RESIDENT


def test_a_list_without_its_own_bound_gets_the_default_one(client, staff):
    reviewer = staff("demo-reviewer")
    entry = {"code": "service.keywords", "category": "service", "question": "问题",
             "answer": "回答", "keywords": [f"词{n}" for n in range(DEFAULT_LIST_MAX + 1)]}
    refused = client.post("/api/v1/staff/faq/entries", headers=reviewer, json=entry)
    _chinese_error(refused, 422)
    assert "keywords" in str(refused.get_json()["error"]["details"])
    entry["keywords"] = entry["keywords"][:DEFAULT_LIST_MAX]
    assert client.post("/api/v1/staff/faq/entries", headers=reviewer, json=entry).status_code == 201
    assert client.post("/api/v1/staff/auth/login", json={
        "username": "demo-reviewer", "password": DEMO_STAFF_PASSWORD}).status_code == 200


# -- the invariants that keep new endpoints safe -------------------------------------------------
def _smorest_blueprints(app):
    return [bp for bp in app.blueprints.values() if isinstance(bp, flask_smorest.Blueprint)]


def test_every_json_blueprint_parses_with_the_hardened_parser(app):
    blueprints = _smorest_blueprints(app)
    assert len(blueprints) > 10
    assert [bp.name for bp in blueprints
            if not isinstance(bp.ARGUMENTS_PARSER, JsonBodyParser)] == []


def _unbounded(schema: Schema, where: str):
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        yield from _unbounded_field(field, f"{where}.{name}")


def _has(field, kind, attribute):
    return any(isinstance(v, kind) and getattr(v, attribute, None) is not None
               for v in field.validators)


def _unbounded_field(field, where):
    if isinstance(field, fields.Nested):
        if field.many and not _has(field, validate.Length, "max"):
            yield where
        yield from _unbounded(field.schema, where)
    elif isinstance(field, fields.List):
        if not _has(field, validate.Length, "max"):
            yield where
        yield from _unbounded_field(field.inner, where + "[]")
    elif isinstance(field, fields.Mapping):
        if not _has(field, MaxEntries, "max"):
            yield where
        if (field.key_field is None or field.value_field is None) and \
                not _has(field, MaxJsonBytes, "max_bytes"):
            yield where
    elif isinstance(field, fields.String):
        if not (_has(field, validate.Length, "max") or _has(field, validate.OneOf, "choices")):
            yield where
    elif isinstance(field, fields.Integer):
        ranges = [v for v in field.validators if isinstance(v, validate.Range)]
        if not (any(v.max is not None and v.max <= COLUMN_INT_MAX for v in ranges)
                and any(v.min is not None and v.min >= -COLUMN_INT_MAX - 1 for v in ranges)):
            yield where


def test_every_request_schema_bounds_every_string_list_mapping_and_integer(app):
    unbounded = []
    for endpoint, view in app.view_functions.items():
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            unbounded.extend(_unbounded(parameter["schema"], endpoint))
    assert unbounded == []


def test_every_id_in_a_path_is_documented_within_the_column(client):
    document = client.get("/api/v1/openapi.json").get_json()
    # flask-smorest lists path parameters once per path, beside the operations.
    path_ints = [p["schema"] for item in document["paths"].values()
                 for p in item.get("parameters", [])
                 if p.get("in") == "path" and p["schema"].get("type") == "integer"]
    assert path_ints and all(s.get("maximum") == COLUMN_INT_MAX for s in path_ints)
