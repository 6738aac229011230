"""PostgreSQL that cannot be reached: refusing connections or accepting them and never
answering. The request answers 503 with Retry-After, quickly, and never a 500."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import make_app
from tests.helpers import error_code
from tests.redis_outage import refusing_redis, silent_redis

# The same loopback stand-ins serve for PostgreSQL: a closed port, and a port that listens
# and says nothing (a server that hangs before its greeting).
OUTAGES = {"refused": refusing_redis, "silent": silent_redis}


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_without_the_database_a_request_answers_503_with_retry_after(base_settings, outage):
    with OUTAGES[outage]() as redis_style_url:
        port = redis_style_url.rsplit(":", 1)[1].split("/")[0]
        settings = replace(base_settings,
                           database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
                           database_connect_timeout_seconds=2)
        app = make_app(settings)
        response = app.test_client().get("/api/v1/clinics")
        from wxapp.extensions import db

        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 503, response.get_json()
    assert error_code(response) == "service.database_unavailable"
    assert "稍后" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_postgresql_connections_have_an_explicit_connect_timeout(base_settings):
    from wxapp import engine_options

    settings = replace(base_settings, database_url="postgresql+psycopg://u@127.0.0.1/x")
    assert engine_options(settings)["connect_args"]["connect_timeout"] == 3
    assert engine_options(replace(base_settings, database_url="sqlite:///x.db")) == {}
