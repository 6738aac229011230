"""Bearer authentication for the JSON APIs.

Put the check directly under the route decorator, above ``@blp.arguments``: a caller who is
not signed in gets 401 before anything reads the body, and so never learns the field rules.
tests/test_openapi_contract.py walks the document to hold every endpoint to that."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from wxapp.errors import Forbidden
from wxapp.services.accounts.resident_login import resident_from_token
from wxapp.services.accounts.staff_login import staff_from_token
from wxapp.web.openapi import RESIDENT, STAFF, document_auth


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def resident_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.resident, g.resident_session_id = resident_from_token(bearer_token())
        return view(*args, **kwargs)

    return document_auth(wrapper, RESIDENT)


def staff_required(*roles: str):
    """Signed-in staff, optionally of one of ``roles``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.staff, g.staff_session_id = staff_from_token(bearer_token())
            if roles and g.staff.role not in roles:
                raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
            return view(*args, **kwargs)

        return document_auth(wrapper, STAFF, roles=roles)

    return decorate
