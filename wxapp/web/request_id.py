"""Every request has an id: the caller's ``X-Request-Id`` when it is a sane one (nginx's
``$request_id``, a client's retry id), a new one otherwise. It is bound to every log line
written while the request runs, carried into the jobs it enqueues, returned as the
``X-Request-Id`` response header (a resident's complaint can quote it), and left in the WSGI
environ for gunicorn's access log.

A WSGI middleware rather than a Flask hook: requests that never reach a view (a 404, a
refused body) get one too, and the id is bound before anything else logs."""
from __future__ import annotations

import re
import time

from wxapp.observability.logs import new_request_id, request_id_bound

HEADER = "X-Request-Id"
ENVIRON_KEY = "wxapp.request_id"
# Letters, digits and . _ : - only, 8 to 64 long: nothing that could forge a log field or
# carry a resident's number through an oversized header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def incoming_or_new(value: str | None) -> str:
    if value and SANE_REQUEST_ID.fullmatch(value) and not value.isdigit():
        return value
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        # When the request began, for the latency metric (wxapp.web.metrics_endpoint).
        environ["wxapp.started"] = time.perf_counter()
        request_id = incoming_or_new(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_KEY] = request_id

        def start_with_id(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != HEADER.lower()]
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        with request_id_bound(request_id):
            return self.wsgi_app(environ, start_with_id)


def register_request_id(app) -> None:
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)
