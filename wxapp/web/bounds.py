"""Every value a request may carry is bounded: each string, list, mapping and number a schema
accepts has a largest size, and every number fits the column it may end up in.

Invariant: a schema given to ``@blp.arguments`` (see ``wxapp.web.blueprint``) accepts nothing
unbounded. A field that declares its own bound keeps it; a field that declares none gets the
default below, so a field added tomorrow cannot store a 9 MiB string or 2,000 rows, or send
10**20 to an INTEGER column (``OverflowError`` on SQLite, ``NumericValueOutOfRange`` on
PostgreSQL). The bounds are validators, so the OpenAPI document states them too.
"""
from __future__ import annotations

import json

from marshmallow import Schema, ValidationError, fields, validate

# Every id and count column is INTEGER: 32 bits, signed, on SQLite and PostgreSQL alike.
COLUMN_INT_MIN = -(2**31)
COLUMN_INT_MAX = 2**31 - 1
DEFAULT_TEXT_MAX = 2000
DEFAULT_LIST_MAX = 100
DEFAULT_MAPPING_MAX = 50
DEFAULT_RAW_BYTES = 16 * 1024
# A body that is a list of records (the FAQ import): the knowledge base has ~50 entries.
DEFAULT_MANY_MAX = 2000


class MaxEntries(validate.Validator):
    """A mapping with at most ``max`` keys (marshmallow's Length would be documented as the
    ``maxLength`` of a string)."""

    def __init__(self, max: int):
        self.max = max

    def __call__(self, value):
        if len(value) > self.max:
            raise ValidationError(f"最多填写{self.max}项。")
        return value


class MaxItems(validate.Validator):
    """A body that is a list (a schema with many=True) of at most ``max`` records."""

    def __init__(self, max: int):
        self.max = max

    def __call__(self, value):
        if len(value) > self.max:
            raise ValidationError(f"一次最多提交{self.max}项。")
        return value


class MaxJsonBytes(validate.Validator):
    """A free-form value (a draft, a raw field) no larger than ``max_bytes`` as stored."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes

    def __call__(self, value):
        size = len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))
        if size > self.max_bytes:
            raise ValidationError(f"内容太长：最多{self.max_bytes // 1024} KB。")
        return value


class SpelledOutLength(validate.Length):
    """marshmallow's Length, saying which bound was missed and by how much. marshmallow says
    only "Length must be between 2 and 500." when both bounds are set, which leaves a person
    guessing whether to add or cut; the OpenAPI document reads the same min and max."""

    def __init__(self, original: validate.Length, *, counts_characters: bool):
        super().__init__(min=original.min, max=original.max, equal=original.equal)
        self.counts_characters = counts_characters

    def __call__(self, value):
        length = len(value)
        unit = "个字" if self.counts_characters else "项"
        now = f"（现在{length}{unit}）" if self.counts_characters else ""
        if self.equal is not None and length != self.equal:
            raise ValidationError(f"应填写{self.equal}{unit}{now}。")
        if self.min is not None and length < self.min:
            raise ValidationError(f"至少填写{self.min}{unit}。")
        if self.max is not None and length > self.max:
            raise ValidationError(f"最多填写{self.max}{unit}{now}。")
        return value


def _spell_out_lengths(field: fields.Field) -> None:
    """Length validators declared without a message of their own get one with the numbers."""
    counts_characters = isinstance(field, fields.String)
    field.validators = [
        SpelledOutLength(v, counts_characters=counts_characters)
        if type(v) is validate.Length and v.error is None else v
        for v in field.validators]


def _declares(field: fields.Field, kind: type, attribute: str) -> bool:
    return any(isinstance(v, kind) and getattr(v, attribute, None) is not None
               for v in field.validators)


def _add(field: fields.Field, validator) -> None:
    # Field.validators is the instance's own list (marshmallow copies declared fields per
    # schema instance), so this never changes another schema.
    field.validators = [*field.validators, validator]


def _bound_integer(field: fields.Field) -> None:
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    fits = any(v.max is not None and v.max <= COLUMN_INT_MAX for v in ranges) and any(
        v.min is not None and v.min >= COLUMN_INT_MIN for v in ranges)
    if not fits:
        _add(field, validate.Range(min=COLUMN_INT_MIN, max=COLUMN_INT_MAX,
                                   error="数值超出范围。"))


def bound_field(field: fields.Field) -> None:
    if isinstance(field, (fields.String, fields.List, fields.Nested)):
        _spell_out_lengths(field)
    if isinstance(field, fields.Nested):
        if field.many and not _declares(field, validate.Length, "max"):
            _add(field, validate.Length(max=DEFAULT_LIST_MAX, error="最多填写{max}项。"))
        nested = field.schema
        if isinstance(nested, Schema):
            bound_schema(nested)
    elif isinstance(field, fields.List):
        if not _declares(field, validate.Length, "max"):
            _add(field, validate.Length(max=DEFAULT_LIST_MAX, error="最多填写{max}项。"))
        bound_field(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            bound_field(inner)
    elif isinstance(field, fields.Mapping):
        if not _declares(field, MaxEntries, "max"):
            _add(field, MaxEntries(DEFAULT_MAPPING_MAX))
        field.metadata.setdefault("maxProperties", next(
            v.max for v in field.validators if isinstance(v, MaxEntries)))
        free_form = field.key_field is None or field.value_field is None
        if free_form and not _declares(field, MaxJsonBytes, "max_bytes"):
            _add(field, MaxJsonBytes(DEFAULT_RAW_BYTES))
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                bound_field(inner)
    elif isinstance(field, fields.String):
        if not (_declares(field, validate.Length, "max") or _declares(field, validate.OneOf,
                                                                     "choices")):
            _add(field, validate.Length(max=DEFAULT_TEXT_MAX))
    elif isinstance(field, fields.Integer):
        _bound_integer(field)
    elif type(field) is fields.Raw and not _declares(field, MaxJsonBytes, "max_bytes"):
        _add(field, MaxJsonBytes(DEFAULT_RAW_BYTES))


def bound_schema(schema: Schema) -> Schema:
    """``schema`` (an instance) with every field bounded; returned for chaining."""
    if getattr(schema, "_wxapp_bounded", False):
        return schema
    schema._wxapp_bounded = True
    for field in schema.fields.values():
        if not field.dump_only:
            bound_field(field)
    return schema
