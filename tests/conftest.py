"""The toolbox every test uses: an app on SQLite or PostgreSQL (``DATABASE_URL``), a real or
in-process Redis (``REDIS_URL``), the WeChat simulator on a loopback port, and a guard that
fails any attempt to reach a real host."""
from __future__ import annotations

import os
import socket
import tempfile
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from wxapp.config import Settings, normalise_database_url
from wxapp.services.accounts import passwords
from wxapp.testing.databases import throwaway_postgres

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Production's argon2 costs ~0.5 s a hash on a busy machine; tests hash many staff passwords.
# tests/security/test_passwords.py checks that production keeps the strong parameters.
passwords.use_cheap_hashing_for_tests()


# -- one app per test, built cheaply -------------------------------------------------------------
def _build_urls_when_first_asked() -> None:
    """Werkzeug compiles a URL builder for every route as the app is made (about 0.1 s of
    CPU for this app's ~240 routes); a test makes a new app and builds a handful of URLs. The
    builder is compiled on its first use instead: the same function, the same URLs."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder

    def compile_when_first_used(rule, append_unknown=True):
        compiled = None

        def build(self, *args, **kwargs):
            nonlocal compiled
            if compiled is None:
                compiled = compile_builder(self, append_unknown)
            return compiled(self, *args, **kwargs)

        return build

    Rule._compile_builder = compile_when_first_used


_build_urls_when_first_asked()


# -- no real outbound traffic ------------------------------------------------------------------
_real_connect = socket.socket.connect


def _loopback_only_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    is_ip = isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6)
    if is_ip and not (host.startswith("127.") or host in ("::1", "localhost")):
        raise AssertionError(f"test tried to reach {host!r}: only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def forbid_outbound_traffic():
    socket.socket.connect = _loopback_only_connect
    yield
    socket.socket.connect = _real_connect


# -- database ----------------------------------------------------------------------------------
@contextmanager
def throwaway_database():
    """An empty database of the kind DATABASE_URL names (SQLite when unset), dropped after."""
    configured = os.environ.get("DATABASE_URL")
    if configured and not configured.startswith("sqlite"):
        with throwaway_postgres(configured) as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/test.sqlite3"


@pytest.fixture(scope="session")
def database_url():
    with throwaway_database() as url:
        yield url


# -- WeChat simulator --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def wechat_sim():
    from wxapp.config import (
        DEV_MINIPROGRAM_APP_ID,
        DEV_MINIPROGRAM_APP_SECRET,
        DEV_WECHAT_APP_ID,
        DEV_WECHAT_APP_SECRET,
    )
    from wxapp.wechat.simulator import create_simulator_app, serve_in_thread

    sim_app = create_simulator_app(apps={DEV_WECHAT_APP_ID: DEV_WECHAT_APP_SECRET,
                                         DEV_MINIPROGRAM_APP_ID: DEV_MINIPROGRAM_APP_SECRET})
    server = serve_in_thread(sim_app)
    yield server
    server.stop()


@pytest.fixture
def sim(wechat_sim):
    """The simulator, reset for this test; ``sim.call(method, path, json=...)`` talks to it."""
    import requests

    class Sim:
        base_url = wechat_sim.base_url

        def call(self, method, path, **kwargs):
            response = requests.request(method, self.base_url + path.lstrip("/"), timeout=5,
                                        **kwargs)
            response.raise_for_status()
            return response.json()

        def login_code(self, user, appid=None):
            body = {"user": user}
            if appid:
                body["appid"] = appid
            return self.call("POST", "/sim/wx-login", json=body)

        def outbox(self, **filters):
            return self.call("GET", "/sim/outbox", params=filters)

    requests.post(wechat_sim.base_url + "sim/reset", timeout=5)
    return Sim()


# -- SMS gateway (Tencent Cloud's, simulated) -----------------------------------------------
@pytest.fixture(scope="session")
def sms_gateway_server():
    from wxapp.sms.simulator import create_sms_simulator_app
    from wxapp.wechat.simulator import serve_in_thread

    app = create_sms_simulator_app()
    server = serve_in_thread(app)
    server.state = app.extensions["sms_gateway"]
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(sms_gateway_server):
    """The simulated SMS gateway, emptied for this test: ``.outbox``, ``.fail_next(code)``."""
    state = sms_gateway_server.state
    state.reset()

    class Gateway:
        endpoint = sms_gateway_server.base_url.split("//", 1)[1].rstrip("/")
        base_url = sms_gateway_server.base_url

        @property
        def outbox(self):
            return list(state.outbox)

        def fail_next(self, code):
            state.injected.append(code)

    return Gateway()


# -- the app -----------------------------------------------------------------------------------
def _test_redis_url() -> str | None:
    """The suite flushes its Redis database between tests: never let that be database 0."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    import redis

    db_index = redis.connection.parse_url(url).get("db", 0)
    if int(db_index or 0) == 0:
        url = url.rstrip("/").rsplit("/", 1)[0] + "/15" if url.count("/") > 2 else url + "/15"
    return url


# Tests sign in and create far more often than a person does: limits are wide here, and the
# tests of the limits themselves (tests/test_rate_limits.py) build apps with tight ones.
WIDE_RATE_LIMITS = {f.name: "100000/minute" for f in fields(Settings)
                    if f.name.startswith("rate_limit_")}


@pytest.fixture(scope="session")
def base_settings(database_url, wechat_sim, sms_gateway_server, tmp_path_factory) -> Settings:
    from wxapp.sms import simulator as sms

    return replace(
        Settings(),
        **WIDE_RATE_LIMITS,
        database_url=normalise_database_url(database_url),
        redis_url=_test_redis_url(),
        wechat_api_base_url=wechat_sim.base_url,
        sms_sdk_app_id=sms.DEV_SDK_APP_ID, sms_secret_id=sms.DEV_SECRET_ID,
        sms_secret_key=sms.DEV_SECRET_KEY, sms_sign_name=sms.DEV_SIGN_NAME,
        sms_template_ids=sms.dev_template_ids_setting(),
        sms_endpoint=sms_gateway_server.base_url.split("//", 1)[1].rstrip("/"),
        sms_protocol="http",
        upload_dir=str(tmp_path_factory.mktemp("uploads")),
    )


@pytest.fixture(scope="session")
def migrated(base_settings):
    """Tests run the migrations, not create_all: the schema they see is production's."""
    from flask_migrate import upgrade

    from wxapp import create_app

    app = create_app(base_settings)
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
    return True


def make_app(settings: Settings):
    from wxapp import create_app

    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(migrated, base_settings):
    app = make_app(base_settings)
    yield app
    _clean(app)


def _clean(app):
    from wxapp.extensions import db, get_redis

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        get_redis().flushdb()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture(params=["plaintext", "compatible", "safe"])
def any_mode_wechat(client, request):
    from tests.wechat_server import WeChatServer

    return WeChatServer(client, request.param)


@pytest.fixture
def wechat(client):
    from tests.wechat_server import WeChatServer

    return WeChatServer(client, "safe")


@pytest.fixture(autouse=True)
def _postgres_only(request, base_settings):
    if request.node.get_closest_marker("postgres_only") and \
            not base_settings.database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL; set DATABASE_URL to run it")
