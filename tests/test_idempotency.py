"""Idempotency-Key: a retried create gets the first answer and changes nothing more."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import error_code, login
from wxapp.extensions import db
from wxapp.models import IdempotencyRecord

GRANTS = "/api/v1/me/subscribe-grants"


def _grant(client, headers, key=None, results=None):
    if key:
        headers = dict(headers, **{"Idempotency-Key": key})
    return client.post(GRANTS, headers=headers,
                       json={"results": results or {"TPL_RESULT": "accept"}})


def test_retry_with_the_same_key_replays_the_first_answer_and_counts_once(client, sim):
    headers = login(client, sim, "kim")
    first = _grant(client, headers, key="retry-key-0001")
    second = _grant(client, headers, key="retry-key-0001")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() == [{"template_id": "TPL_RESULT",
                                                     "remaining": 1}]
    assert second.headers["Idempotent-Replayed"] == "true"
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["subscribe_grants"] == [{"template_id": "TPL_RESULT", "remaining": 1}]


def test_new_key_is_a_new_request(client, sim):
    headers = login(client, sim, "lee")
    _grant(client, headers, key="first-key-0001")
    assert _grant(client, headers, key="second-key-0002").get_json()[0]["remaining"] == 2


def test_same_key_with_a_different_body_is_a_409_and_changes_nothing(client, sim):
    headers = login(client, sim, "mia")
    _grant(client, headers, key="body-key-00001")
    clash = _grant(client, headers, key="body-key-00001", results={"TPL_OTHER": "accept"})
    assert clash.status_code == 409 and error_code(clash) == "idempotency.key_reused"
    grants = client.get("/api/v1/me", headers=headers).get_json()["subscribe_grants"]
    assert grants == [{"template_id": "TPL_RESULT", "remaining": 1}]


def test_keys_are_per_resident(client, sim):
    nora, omar = login(client, sim, "nora"), login(client, sim, "omar")
    _grant(client, nora, key="shared-key-0001")
    response = _grant(client, omar, key="shared-key-0001")
    assert response.status_code == 200 and response.headers["Idempotent-Replayed"] == "false"


def test_failed_request_is_not_remembered(client, sim, app_ctx):
    headers = login(client, sim, "pam")
    bad = _grant(client, headers, key="fix-and-retry-01", results={"TPL": "maybe"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 0
    good = client.post(GRANTS, headers=dict(headers, **{"Idempotency-Key": "fix-and-retry-01"}),
                       json={"results": {"TPL": "accept"}})
    assert good.status_code == 200


def test_malformed_key_is_refused(client, sim):
    response = _grant(client, login(client, sim, "quin"), key="short")
    assert response.status_code == 422 and error_code(response) == "idempotency.key_invalid"
