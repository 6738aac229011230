"""The Blueprint every JSON transport (mini-program, staff, cabinets) is made from.

flask-smorest's Blueprint, except that ``@arguments`` parses bodies with the one hardened
JSON parse (``wxapp.web.json_body``) and bounds every field of the schema it is given
(``wxapp.web.bounds``). ``tests/security/test_hostile_input.py`` checks that every
flask-smorest blueprint of the app is one of these.
"""
from __future__ import annotations

import flask_smorest
from marshmallow import Schema

from wxapp.web.bounds import DEFAULT_MANY_MAX, MaxItems, bound_schema
from wxapp.web.json_body import JsonBodyParser


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()

    def arguments(self, schema, **kwargs):
        # An instance, so that the bounds are the ones webargs validates with and the
        # OpenAPI document shows (a class would be instantiated afresh, unbounded).
        instance = schema() if isinstance(schema, type) and issubclass(schema, Schema) \
            else schema
        if instance.many:
            kwargs.setdefault("validate", MaxItems(DEFAULT_MANY_MAX))
        return super().arguments(bound_schema(instance), **kwargs)
