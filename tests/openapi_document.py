"""The OpenAPI document, read at collection time so that tests can be parametrised over its
operations: a new endpoint becomes new test cases without anyone listing it."""
from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def openapi_document() -> dict:
    from wxapp import create_app
    from wxapp.config import Settings

    # Building the document touches no database: an in-memory SQLite URL that is never used.
    app = create_app(replace(Settings(), database_url="sqlite://", redis_url=None))
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(prefix: str = "/") -> list[tuple[str, str]]:
    """(method, path template) of every documented operation under ``prefix``."""
    return [(method, path) for path, item in openapi_document()["paths"].items()
            if path.startswith(prefix) for method in METHODS if method in item]


def operation(method: str, path: str) -> dict:
    return openapi_document()["paths"][path][method]


SNAPSHOT = Path(__file__).resolve().parent / "openapi_snapshot.json"


def snapshot_text(document: dict) -> str:
    # Sorted keys and one line per value: a change reads as a small diff.
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_snapshot() -> str:
    """Write the current document as the committed snapshot (scripts/openapi-snapshot)."""
    SNAPSHOT.write_text(snapshot_text(openapi_document()), encoding="utf-8")
    return f"wrote {SNAPSHOT}"
