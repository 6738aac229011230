"""The OpenAPI document is the contract a generated client is built from: it must say which
operations need a sign-in, and what their errors look like. Walked from the document, so an
endpoint added tomorrow is held to the same rules without anyone remembering to."""
from __future__ import annotations

import re

import pytest

from tests.helpers import error_code

METHODS = ("get", "post", "put", "patch", "delete")
# Operations anyone may call. Adding one here is a decision: the FAQ, regions and clinics are
# public information; login is how one signs in.
PUBLIC = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/staff/auth/login"),
    ("post", "/api/v1/faq/ask"),
    ("post", "/api/v1/faq/feedback"),
    ("get", "/api/v1/faq/entries"),
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/clinics"),
    ("get", "/api/v1/clinics/{clinic_id}/slots"),
    ("get", "/api/v1/consent"),
}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def concrete_path(path: str) -> str:
    # Any id will do: the caller is refused before anything is looked up.
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_operation_is_signed_in_or_known_to_be_public(document):
    undeclared = sorted((method, path) for method, path, operation in operations(document)
                        if not operation.get("security") and (method, path) not in PUBLIC)
    assert undeclared == [], "sign-in required, or a deliberate entry in PUBLIC"
    stale = PUBLIC - {(method, path) for method, path, _ in operations(document)}
    assert stale == set()


@pytest.mark.parametrize("token", [None, "Bearer forged.token.value"])
def test_anonymous_caller_with_a_bad_body_is_refused_before_the_body_is_read(
        client, document, token):
    """A stranger must not learn the field rules (422 with details) of signed-in endpoints."""
    headers = {"Authorization": token} if token else {}
    answers = {}
    for method, path, operation in operations(document):
        if not operation.get("security"):
            continue
        response = client.open(concrete_path(path) + "?unknown_field=1", method=method.upper(),
                               headers=headers,
                               json={"unknown_field": "x", "slot_id": "not a number"})
        answers[f"{method.upper()} {path}"] = (response.status_code, error_code(response))
    wrong = {operation: answer for operation, answer in answers.items() if answer[0] != 401}
    assert wrong == {}
    assert len(answers) > 80
    assert answers["POST /device/v1/redeem"][0] == 401


def test_every_operation_declares_its_success_and_error_answers(document):
    missing = {}
    for method, path, operation in operations(document):
        statuses = set(operation["responses"])
        gaps = []
        if not any(status.startswith("2") for status in statuses):
            gaps.append("a 2xx answer")
        if "default" not in statuses:
            gaps.append("default")
        if operation.get("security"):
            gaps += [str(s) for s in (401, 503) if str(s) not in statuses]
        if "{" in path and "404" not in statuses:
            gaps.append("404")
        if "requestBody" in operation or any(p["in"] == "query"
                                             for p in operation.get("parameters", [])):
            gaps += ["422"] if "422" not in statuses else []
        if gaps:
            missing[f"{method.upper()} {path}"] = gaps
    assert missing == {}


def test_error_responses_declare_the_body_every_error_has(document):
    schemas = document["components"]["schemas"]
    error = schemas["Error"]
    assert error["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"}
    assert set(detail["properties"]) == {"code", "message", "details"}
    # Every declared error status, and the default, refers to that schema.
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                name = response["$ref"].rsplit("/", 1)[1]
                content = document["components"]["responses"][name]["content"]
                assert content["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (method, path, status)


def test_real_errors_have_the_declared_shape(client):
    """What the document says is what the service sends: an unauthorised call, a validation
    failure with details, and a missing record."""
    unauthorised = client.get("/api/v1/me")
    invalid = client.post("/api/v1/faq/ask", json={"question": ""})
    missing = client.get("/api/v1/no-such-endpoint")
    for response, status in ((unauthorised, 401), (invalid, 422), (missing, 404)):
        assert response.status_code == status
        body = response.get_json()
        assert set(body) == {"error"}
        assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "details"}
        assert isinstance(body["error"]["code"], str)
        assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"])
    assert invalid.get_json()["error"]["details"]
