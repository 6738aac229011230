"""Login with a wx.login code, and logout."""
from __future__ import annotations

from flask import g

from miniprogram_api.schemas import LoginRequestSchema
from wxapp.schemas.base import TokenSchema
from wxapp.services.accounts import resident_login as auth
from wxapp.web.auth import resident_required
from wxapp.web.blueprint import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Resident login")


@blp.post("/login")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.arguments(LoginRequestSchema)
@blp.response(200, TokenSchema)
def login(body):
    """Sign in with a wx.login code; returns a resident token."""
    token, expires_in = auth.login_with_code(body["code"])
    return {"token": token, "expires_in": expires_in}


@blp.post("/logout")
@blp.response(204)
@resident_required
def logout():
    """Sign out: the token stops working at once."""
    auth.logout(g.resident_session_id)
