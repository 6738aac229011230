"""Property: no JSON body, however nested or encoded, gets a 5xx from the public and resident
endpoints; every refusal is the project's error body (issue 13's Hypothesis test).

The operations come from the OpenAPI document, so a new endpoint with a JSON body is covered
without touching this file. Bodies are built around each operation's own field names (so that
hostile values reach the schemas and services, not only the unknown-field check) and then
nested up to thousands deep, given lone surrogates, NUL, digits of other scripts, integers far
beyond any column, non-finite floats, and encoded as UTF-8, UTF-16, Latin-1, with surrogates
passed through, or cut short. Derandomized with a fixed example budget: the same examples on
every run, in well under a minute.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import login
from wxapp.web.bounds import COLUMN_INT_MAX

EXAMPLES = 200
ODD_TEXT = ["\ud800", "\udfff", "\x00", "a\x00b", "٣٢٠١٠٢", "３２０１", "१२३", "\u202e", "\ufeff",
            "x" * 3000, "孕" * 600, "", " ", "null", "1e400"]
ODD_INTS = [0, -1, 1, COLUMN_INT_MAX, COLUMN_INT_MAX + 1, -(2**31) - 1, 2**63, 10**20, 10**400]
PATH_IDS = [1, 2, COLUMN_INT_MAX, COLUMN_INT_MAX + 1, 10**20]


def _json_operations(document) -> list[tuple[str, str, list[str]]]:
    """(method, path template, top-level field names) of every non-staff operation taking a
    JSON body."""
    schemas = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        if path.startswith("/api/v1/staff"):
            continue
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {}) \
                if isinstance(operation, dict) else {}
            if "application/json" not in content:
                continue
            schema = content["application/json"]["schema"]
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
            found.append((method.upper(), path, sorted(schema.get("properties", {}))))
    return found


text = st.one_of(st.text(max_size=30), st.sampled_from(ODD_TEXT))
numbers = st.one_of(st.integers(), st.sampled_from(ODD_INTS),
                    st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)), max_leaves=12)


@st.composite
def bodies(draw, field_names: list[str]) -> bytes:
    if field_names and draw(st.booleans()):
        names = st.sampled_from(field_names)
        value = draw(st.dictionaries(st.one_of(names, text), values, max_size=6))
    else:
        value = draw(values)
    as_text = json.dumps(value, ensure_ascii=draw(st.booleans()), allow_nan=True)
    # Nested as text: json.dumps itself would recurse once per level.
    depth = draw(st.sampled_from([0, 0, 0, 1, 31, 33, 2000, 5000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"b":[', "]}]")]))
    as_text = opener * depth + as_text + closer * depth
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1",
                                     "surrogatepass"]))
    if encoding == "surrogatepass":
        raw = as_text.encode("utf-8", "surrogatepass")
    else:
        raw = as_text.encode(encoding, "replace" if encoding == "latin-1" else "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # cut short
        raw = raw[:draw(st.integers(0, max(len(raw) - 1, 0)))]
    return raw


@pytest.fixture
def resident_headers(client, sim):
    return login(client, sim, "property")


@pytest.fixture
def operations(client):
    found = _json_operations(client.get("/api/v1/openapi.json").get_json())
    assert len(found) >= 10  # the resident API, not an empty document
    return found


def _fill(path: str, number: int) -> str:
    parts = path.split("/")
    return "/".join(str(number) if p.startswith("{") else p for p in parts)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_json_body_gets_a_server_error(client, resident_headers, operations, data):
    method, path, field_names = data.draw(st.sampled_from(operations), label="operation")
    url = _fill(path, data.draw(st.sampled_from(PATH_IDS), label="id"))
    body = data.draw(bodies(field_names), label="body")
    signed_in = data.draw(st.booleans(), label="signed in")
    response = client.open(url, method=method, data=body, content_type="application/json",
                           headers=resident_headers if signed_in else {})
    assert response.status_code < 500, (method, url, body[:200], response.data[:300])
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["code"] and error["message"]

