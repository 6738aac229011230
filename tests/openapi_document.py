"""The OpenAPI document, read at collection time so that tests can be parametrised over its
operations: a new endpoint becomes new test cases without anyone listing it."""
from __future__ import annotations

from dataclasses import replace
from functools import cache

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
