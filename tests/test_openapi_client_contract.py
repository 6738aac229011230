"""A client can be built from the OpenAPI document alone: every operation says what it does,
every choice lists its values, the consent text is served with its version, and a change to
the document is a deliberate one (a committed snapshot)."""
from __future__ import annotations

import difflib

import pytest

from tests.helpers import error_code, login
from tests.openapi_document import SNAPSHOT, openapi_document, operations, snapshot_text


def test_every_operation_has_a_summary():
    missing = [f"{method.upper()} {path}" for method, path in operations()
               if not openapi_document()["paths"][path][method].get("summary", "").strip()]
    assert missing == [], ("give each a docstring: its first line becomes the summary "
                           "clients read")


def test_the_document_matches_the_committed_snapshot():
    current = snapshot_text(openapi_document())
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if current != committed:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), current.splitlines(keepends=True),
            "tests/openapi_snapshot.json (committed)", "the API now", n=2))[:80])
        pytest.fail("The OpenAPI document changed. If the change is deliberate, run "
                    "scripts/openapi-snapshot and commit tests/openapi_snapshot.json with it "
                    "(clients built from the document will see this diff):\n" + diff)


def _schema(name: str) -> dict:
    return openapi_document()["components"]["schemas"][name]


def _property(schema: str, *path: str) -> dict:
    node = _schema(schema)
    for step in path:
        node = node["properties"][step] if step != "[]" else node["items"]
        if "$ref" in node:
            node = _schema(node["$ref"].rsplit("/", 1)[1])
        else:
            refs = [n["$ref"] for n in node.get("allOf", []) + node.get("anyOf", []) if "$ref" in n]
            if refs:
                node = _schema(refs[0].rsplit("/", 1)[1])
    return node


@pytest.mark.parametrize("schema, path, values", [
    ("RegistrationForm", ("filer_role",), {"mother", "father"}),
    ("RegistrationForm", ("pregnancy_status",), {"planning", "pregnant", "born"}),
    ("RegistrationForm", ("mother", "marital_status"),
     {"first_marriage", "remarried", "unmarried", "divorced", "widowed"}),
    ("RegistrationForm", ("existing_children", "[]", "relation"),
     {"both", "mother_only", "father_only"}),
    ("RegistrationForm", ("promised_documents", "[]"),
     {"mother_id_card", "father_id_card", "hukou_page", "marriage_certificate"}),
    ("Registration", ("status",), {"submitted", "returned", "approved", "rejected", "withdrawn",
                                   "correction_requested"}),
    ("Document", ("kind",), {"mother_id_card", "father_id_card", "hukou_page",
                             "marriage_certificate", "other"}),
    ("Booking", ("status",), {"scheduled", "waitlisted", "offered", "checked_in", "completed",
                              "missed", "cancelled", "moved"}),
    ("ScreeningResult", ("risk_category",), {"general", "high_risk"}),
    ("NearbyPoint", ("kind",), {"store", "cabinet", "counter"}),
    ("NearbyPoint", ("items", "[]", "availability"), {"available", "low", "out"}),
    ("Pickup", ("status",), {"held", "redeemed", "dispensed", "failed", "cancelled", "expired"}),
    ("PointReport", ("kind",), {"empty", "broken", "other"}),
])
def test_enumerated_fields_list_their_values(schema, path, values):
    assert set(_property(schema, *path).get("enum", [])) - {None} == values


def test_the_documented_form_choices_are_the_ones_the_rules_accept():
    from wxapp.services.registration import rules

    form = _schema("RegistrationForm")["properties"]
    assert form["filer_role"]["enum"] == list(rules.ROLES)
    assert form["pregnancy_status"]["enum"] == list(rules.PREGNANCY_STATUSES)


def test_the_consent_text_comes_with_the_version_to_send_back(app, client, sim):
    consent = client.get("/api/v1/consent")
    assert consent.status_code == 200
    body = consent.get_json()
    assert body["purpose"] == "birth_registration" and body["title"]
    office = app.config["WXAPP"].office_name
    assert any(office in paragraph for paragraph in body["paragraphs"])
    assert not any("{" in paragraph for paragraph in body["paragraphs"])
    resident = login(client, sim, "consenting")
    given = client.post("/api/v1/me/consents", headers=resident,
                        json={"text_version": body["version"]})
    assert given.status_code == 201 and given.get_json()["text_version"] == body["version"]
    stale = client.post("/api/v1/me/consents", headers=resident, json={"text_version": "2000-01"})
    assert stale.status_code == 409 and error_code(stale) == "consent.outdated_text"


CHAT_ONLY_WORDS = ("人工", "【", "回复")


def test_the_mini_programs_no_match_reply_names_no_chat_keyword(app, client):
    from wxapp.seeding.seed import seed_default
    from wxapp.transactions import commit

    with app.app_context():
        seed_default()
        commit()
    body = client.post("/api/v1/faq/ask", json={"question": "明天天气怎么样"}).get_json()
    assert body["matched"] is False
    assert app.config["WXAPP"].office_phone in body["answer"]
    assert not [word for word in CHAT_ONLY_WORDS if word in body["answer"]]


def test_the_chat_keeps_its_keywords_and_screens_get_buttons_words(app_ctx):
    from wxapp.services.chat import texts as chat_texts
    from wxapp.services.faq import screen_texts

    suggestions = [{"code": "a", "question": "问题一"}]
    assert "人工" in chat_texts.suggestions_text(suggestions)
    for text in (screen_texts.suggestions_text(suggestions), screen_texts.cannot_answer_text()):
        assert not [word for word in CHAT_ONLY_WORDS if word in text]
