"""What the OpenAPI document promises about errors and sign-in, so that a client generated from
it works: every error body is ``wxapp.schemas.errors.ErrorSchema``, and each operation lists the
error statuses it can answer with.

Where each status comes from:
- 401 and 503 (sessions and nonces live in Redis): every operation behind
  ``resident_required``, ``staff_required`` or ``device_required``, which also name their
  scheme; 403 where staff_required names roles.
- 422: every operation that reads a body or query (flask-smorest's ``arguments``).
- 404: every operation with an id in its path (someone else's record is "not found" too).
- 409: every signed-in write (state transitions lose races; a reused Idempotency-Key).
- 429: the endpoints that are rate limited, declared where they are defined.
- anything else: ``default``, with the same error schema.
"""
from __future__ import annotations

import threading
from copy import deepcopy
from http import HTTPStatus

from apispec import BasePlugin
from flask_smorest import Api

from wxapp.schemas.errors import ErrorSchema

RESIDENT = "resident"
STAFF = "staff"
DEVICE = "device"
IDEMPOTENCY_MARK = "x-wxapp-idempotent"
WRITE_METHODS = ("post", "put", "patch", "delete")


def _responses(view) -> dict:
    return view._apidoc.setdefault("response", {}).setdefault("responses", {})


def _own_apidoc(view) -> None:
    # functools.wraps shares the wrapped view's dict: copy before changing it.
    view._apidoc = deepcopy(getattr(view, "_apidoc", {}))


def document_responses(view, *statuses: int):
    """Declare error statuses a view answers with (the error schema comes with them)."""
    _own_apidoc(view)
    for status in statuses:
        _responses(view).setdefault(status, [HTTPStatus(status).name])
    return view


def document_auth(view, scheme: str, *, roles: tuple[str, ...] = ()):
    document_responses(view, 401, 503, *((403,) if roles else ()))
    manual = view._apidoc.setdefault("manual_doc", {})
    manual["security"] = [{scheme: []}]
    return view


def document_idempotency(view):
    _own_apidoc(view)
    view._apidoc.setdefault("manual_doc", {})[IDEMPOTENCY_MARK] = True
    return view


class ErrorResponsesPlugin(BasePlugin):
    """Adds the statuses that follow from an operation's shape (see the module docstring)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]

            def declare(status: int, responses=responses):
                if status not in responses and str(status) not in responses:
                    responses[status] = HTTPStatus(status).name

            if "{" in (path or ""):
                declare(404)
            if method in WRITE_METHODS and operation.get("security"):
                declare(409)
            if operation.pop(IDEMPOTENCY_MARK, False):
                operation.setdefault("parameters", []).append({
                    "in": "header", "name": "Idempotency-Key", "required": False,
                    "description": "A retry with the same key returns the first answer; the "
                                   "same key with another body is 409.",
                    "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._:\-]{8,128}$"},
                })
                declare(409)
                declare(422)


class WxappApi(Api):
    """flask-smorest's Api, documenting blueprints when the document is first asked for.

    Building the document costs about a quarter of a second per app (57 blueprints, each view's
    schemas resolved and deep-copied), paid by every worker at start and by every test that
    builds an app, while the document is read by developers and a few tests. The routes and
    their request and response handling are registered at once, as before; only the
    documentation waits, in registration order, so the document is the same."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs.setdefault("extra_plugins", [ErrorResponsesPlugin()])
        self._undocumented: list[tuple] = []
        self._documenting = threading.Lock()
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def document(self):
        """The OpenAPI document, with every registered blueprint in it."""
        with self._documenting:
            while self._undocumented:
                blp, name, parameters = self._undocumented.pop(0)
                blp.register_views_in_doc(self, self._app, self.spec, name=name,
                                          parameters=parameters)
                self.spec.tag({"name": name, "description": blp.description})
        return self.spec

    def _openapi_json(self):
        self.document()
        return super()._openapi_json()

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        for scheme, who in ((RESIDENT, "a resident's session token from /api/v1/auth/login"),
                            (STAFF, "a staff session token from /api/v1/staff/auth/login")):
            self.spec.components.security_scheme(scheme, {
                "type": "http", "scheme": "bearer", "description": who})
        self.spec.components.security_scheme(DEVICE, {
            "type": "apiKey", "in": "header", "name": "X-Device-Signature",
            "description": "A cabinet's call also carries X-Device-Key, X-Device-Timestamp (Unix "
                           "seconds, within 300 s) and X-Device-Nonce (8-64 characters, never "
                           "reused); the signature is hex HMAC-SHA256 with the cabinet's secret "
                           "over METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))."})


# Answers that are not one marshmallow-serialised object: files, and reports that are JSON,
# CSV or XLSX as the caller asked. Documented only; the view builds the response itself.
BINARY = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_answer(blp, *content_types: str, description: str):
    def decorate(view):
        for content_type in content_types:
            view = blp.alt_response(200, schema=BINARY, content_type=content_type,
                                    description=description, success=True)(view)
        return view

    return decorate


def report_answer(blp, json_schema: dict, *, description: str):
    """``format=json`` (the default), ``csv`` (Excel-friendly, UTF-8) or ``xlsx``."""

    def decorate(view):
        view = blp.alt_response(200, schema=BINARY, content_type=XLSX, success=True,
                                description=description)(view)
        view = blp.alt_response(200, schema={"type": "string"}, success=True,
                                content_type="text/csv", description=description)(view)
        return blp.alt_response(200, schema=json_schema, success=True,
                                description=description)(view)

    return decorate


ROWS = {"type": "array", "items": {"type": "object"}}
