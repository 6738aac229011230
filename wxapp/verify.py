"""The public certificate check: anyone with the code sees validity and masked names only."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from wxapp.services.registration.review import verify_certificate

bp = Blueprint("verify", __name__)


@bp.get("/verify/<code>")
def verify(code: str):
    result = verify_certificate(code)
    status = 200 if result else 404
    if request.accept_mimetypes.best == "application/json":
        return jsonify(result or {"valid": False}), status
    return render_template("verify.html", result=result), status
