"""Nothing about a caller is kept in a cookie: all state is behind bearer tokens."""
from __future__ import annotations

import flask
import pytest
from flask.sessions import NullSession


def test_the_app_keeps_no_cookie_session(app):
    with app.test_request_context("/api/v1/clinics"):
        assert isinstance(flask.session, NullSession)
        with pytest.raises(RuntimeError):
            flask.session["resident_id"] = 1


def test_no_response_sets_a_cookie(client):
    for path in ("/healthz", "/readyz", "/api/v1/clinics", "/api/v1/openapi.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
