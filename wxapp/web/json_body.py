"""The one way a JSON request body becomes Python data, for every JSON endpoint.

Invariant: whatever the bytes of a body, parsing it ends in a value no deeper than
``MAX_DEPTH`` whose strings are valid Unicode without NUL and whose numbers are finite, or in
a 400 with the project's error body; never in a 500. (How large each value may be is the
schemas' business: ``wxapp.web.bounds``.)

Python's json module alone gives a 500 on: nesting deep enough for ``RecursionError``;
``"\\ud800"`` (a lone surrogate that no UTF-8 encoder, database driver or log handler
accepts); integers of more than 4,300 digits (``ValueError``); ``1e400`` and ``Infinity``
(infinite floats). PostgreSQL refuses a NUL in text (``DataError``). All are refused here,
before any schema, service or database sees them.

flask-smorest parses bodies with webargs; ``JsonBodyParser`` is webargs' parser with this
parse, used by ``wxapp.web.blueprint.Blueprint``, from which every JSON transport's
blueprints are made.
"""
from __future__ import annotations

import json
import math
import re

from webargs.flaskparser import FlaskParser

from wxapp.errors import DomainError

MAX_DEPTH = 32
# Characters a stored or logged string must not hold: NUL (PostgreSQL text cannot) and lone
# UTF-16 surrogates (not encodable as UTF-8).
_FORBIDDEN_TEXT = re.compile("[\x00\ud800-\udfff]")
# One pass, left to right: a whole string literal, a run of anything else, a bracket, or a
# quote that opens no complete literal (invalid JSON: stop there, so no input costs more than
# one pass).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"|[^"\[\]{}]++|[\[\]{}]|"', re.DOTALL)
# Longer float literals are refused rather than rounded to something nobody typed.
_MAX_NUMBER_CHARS = 40


class MalformedBody(DomainError):
    # The code and details webargs gave a body it could not parse, which clients know.
    status = 400
    code = "request.bad"
    message = "提交的内容不是有效的 JSON。"

    def __init__(self):
        super().__init__(details={"json": [self.message]})


class BodyTooDeep(MalformedBody):
    code = "request.too_deeply_nested"
    message = "提交的内容层级太深。"


class ForbiddenCharacters(MalformedBody):
    code = "request.invalid_characters"
    message = "提交的文字中有无法识别的字符，请删除后重试。"


def has_forbidden_characters(text: str) -> bool:
    return _FORBIDDEN_TEXT.search(text) is not None


def _check_nesting(text: str) -> None:
    """Refuse brackets nested deeper than MAX_DEPTH outside string literals, counted
    without recursion (json.loads would recurse once per level)."""
    depth = 0
    for token in _TOKEN.finditer(text):
        char = token.group()
        if char in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise BodyTooDeep()
        elif char in ("]", "}"):
            depth -= 1
        elif char == '"':
            raise MalformedBody()


def _parse_float(literal: str) -> float:
    value = float(literal) if len(literal) <= _MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise MalformedBody()
    return value


def _refuse_constant(_name: str):
    # NaN, Infinity and -Infinity are not JSON (RFC 8259), though Python reads them.
    raise MalformedBody()


def _check_strings(value) -> None:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if has_forbidden_characters(item):
                raise ForbiddenCharacters()
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def parse_json_body(raw: bytes | str):
    """The value a JSON body holds, or ``MalformedBody`` (400) and its subclasses."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedBody() from exc
    else:
        text = raw
    _check_nesting(text)
    try:
        value = json.loads(text, parse_float=_parse_float,
                           parse_constant=_refuse_constant)
    # JSONDecodeError is a ValueError, and so is an integer beyond 4,300 digits.
    except (ValueError, RecursionError) as exc:
        raise MalformedBody() from exc
    _check_strings(value)
    return value


class JsonBodyParser(FlaskParser):
    """webargs' Flask parser, reading bodies with ``parse_json_body`` and refusing NUL in
    query strings and form fields as well (they reach the same database columns)."""

    def _raw_load_json(self, req):
        from webargs.core import missing
        from webargs.flaskparser import is_json_request

        if not is_json_request(req):
            return missing
        raw = req.get_data(cache=True)
        if not raw:
            return missing
        return parse_json_body(raw)

    def load_querystring(self, req, schema):
        _refuse_forbidden_values(req.args)
        return super().load_querystring(req, schema)

    def load_form(self, req, schema):
        _refuse_forbidden_values(req.form)
        return super().load_form(req, schema)


def _refuse_forbidden_values(multidict) -> None:
    for key, value in multidict.items(multi=True):
        if has_forbidden_characters(key) or has_forbidden_characters(value):
            raise ForbiddenCharacters()
