"""How much a request may carry, by kind of route, and which ids a URL may name.

Invariant: no request body is read beyond the limit of its route's kind (a 413 with the
project's error body instead); an id in a path is ASCII digits within the range of the
INTEGER columns ids live in, and any other text in a path is at most PATH_TEXT_MAX characters
without NUL. Anything else is a 404 from routing, before a view or the database sees it
(10**20 used to be an ``OverflowError`` on SQLite and ``NumericValueOutOfRange`` on
PostgreSQL, ``/verify/x%00`` a PostgreSQL ``DataError``).
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from wxapp.web.bounds import COLUMN_INT_MAX

KIB = 1024
MIB = 1024 * KIB
# JSON forms, WeChat pushes, staff edits: the largest (a registration with ten children) is
# a few KiB.
DEFAULT_BODY_BYTES = 128 * KIB
# Signed cabinet calls: a stock report of a few dozen lines.
DEVICE_BODY_BYTES = 32 * KIB
# Per endpoint. Uploads: twice the largest accepted document, so that a slightly larger
# one still gets the service's own message (which says how large a file may be).
BODY_BYTES_BY_ENDPOINT = {
    "registrations.upload": 12 * MIB,
    # The whole knowledge base at once (bounded to MAX_IMPORT_ENTRIES entries by its schema).
    "staff_faq.import_entries": 4 * MIB,
}


PATH_TEXT_MAX = 200


class PathTextConverter(UnicodeConverter):
    """``<code>`` in every route: no NUL (PostgreSQL text cannot hold it), bounded length."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        if maxlength is None or maxlength > PATH_TEXT_MAX:
            maxlength = PATH_TEXT_MAX
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


class ColumnIdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits only (werkzeug's ``\\d+`` would take
    Arabic-Indic digits too), at most the largest INTEGER."""

    regex = r"[0-9]{1,10}"
    signed_regex = r"-?[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        largest = COLUMN_INT_MAX if max is None or max > COLUMN_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=largest, signed=signed)


def body_limit_for(endpoint: str | None, path: str) -> int:
    if endpoint in BODY_BYTES_BY_ENDPOINT:
        return BODY_BYTES_BY_ENDPOINT[endpoint]
    if path.startswith("/device/"):
        return DEVICE_BODY_BYTES
    return DEFAULT_BODY_BYTES


def register_input_limits(app: Flask) -> None:
    """Before any route is added: the id converter is looked up when a rule is bound."""
    app.url_map.converters["int"] = ColumnIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathTextConverter

    @app.before_request
    def _limit_body_by_route_kind():
        request.max_content_length = body_limit_for(request.endpoint, request.path)
