"""Console forms that must be carried out once however often they are sent: a double click,
the back button and "send again", a retry after the answer was lost.

Each rendering of such a form carries a new token in a hidden field. The view's request
claims the token (``web.idempotency.claim_form_token``) in its own transaction, so the claim
commits with the view's writes or rolls back with them: a form refused for bad input can be
fixed and sent again with the same token. A form whose token was already carried out does
nothing and goes where the first sending went, saying so."""
from __future__ import annotations

import re
import secrets
from functools import wraps

from flask import flash, make_response, redirect, request

from wxapp.web.idempotency import claim_form_token

FIELD = "form_token"
_TOKEN_SHAPE = re.compile(r"^[0-9a-f]{32}$")
ALREADY_DONE = "这张表单已经提交过，本次没有重复登记。"


def new_form_token() -> str:
    return secrets.token_hex(16)


def form_token_for(sent: str | None) -> str:
    """The token for a form shown again after a problem: the one it was sent with (its claim
    was rolled back with the refusal), or a new one."""
    return sent if sent and _TOKEN_SHAPE.match(sent) else new_form_token()


def once_per_form(view):
    """Put it under ``console_required``. The view answers a redirect when it did the work,
    and a status of 400 or more (nothing kept) when it did not."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        claim, earlier = claim_form_token(request.form.get(FIELD, ""))
        if earlier is not None:
            flash(ALREADY_DONE, "info")
            return redirect(earlier.response_body or request.path, 303)
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:
            claim.status_code = response.status_code
            claim.response_body = response.location
        return response

    return wrapper
