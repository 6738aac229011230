"""wxapp: the township's family-planning and maternal-health service on WeChat."""
from __future__ import annotations

import threading

from flask import Flask

from wxapp.config import INSTANCE_DIR, Settings
from wxapp.formats.pdf_fonts import configure_pdf_font
from wxapp.web.api_docs import ASSETS_URL as API_DOCS_ASSETS_URL


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.check_can_start()

    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    configure(app, settings)
    configure_pdf_font(app, settings.pdf_font_path, settings.is_production)
    register_extensions(app)
    register_security(app, settings)
    register_input_limits(app)
    register_blueprints(app)
    register_rate_limits(app)
    register_error_handlers(app)
    register_observability(app, settings)
    register_commands(app)
    warm_up_in_background()
    return app


_warm_up: threading.Thread | None = None


def warm_up_in_background() -> None:
    """Load jieba's dictionary (about 0.7 s) while the worker starts, not on the first
    resident's question."""
    global _warm_up
    from wxapp.faq.tokenizer import warm_up

    _warm_up = threading.Thread(target=warm_up, name="faq-warm-up", daemon=True)
    _warm_up.start()


def finish_warm_up() -> None:
    """Wait for the warm-up; gunicorn's master does before forking workers (preload_app)."""
    if _warm_up is not None:
        _warm_up.join()


def after_fork(app: Flask) -> None:
    """In a worker just forked from a master that loaded the app: never reuse the master's
    pooled database connections (SQLAlchemy's advice for os.fork). An app without a database
    (the benchmarks' hello world, under the same settings) has nothing to reset."""
    database = app.extensions.get("sqlalchemy")
    if database is not None:
        with app.app_context():
            database.engine.dispose(close=False)


def configure(app: Flask, settings: Settings) -> None:
    from wxapp.observability.logs import configure_logging

    configure_logging(json_lines=settings.log_json)
    if settings.database_url.startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    app.config.update(
        WXAPP=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings),
        JSON_AS_ASCII=False,
        API_TITLE="wxapp mini-program API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        # The browsable UI is for developers; production serves the JSON only.
        OPENAPI_SWAGGER_UI_PATH=None if settings.is_production else "docs",
        OPENAPI_SWAGGER_UI_URL=API_DOCS_ASSETS_URL,
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
    )
    app.json.ensure_ascii = False


def engine_options(settings: Settings) -> dict:
    if settings.database_url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": settings.database_connect_timeout_seconds}}
    return {}


def register_extensions(app: Flask) -> None:
    import wxapp.models  # noqa: F401  (every table known to Alembic and the ORM)
    from wxapp.database_pool import ping_connections_idle_for
    from wxapp.extensions import db, init_redis, migrate
    from wxapp.web.openapi import WxappApi

    db.init_app(app)
    with app.app_context():
        ping_connections_idle_for(db.engine,
                                  app.config["WXAPP"].database_ping_after_idle_seconds)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"),
                     render_as_batch=True)
    init_redis(app)
    # One Api per app (not a module global) so that tests can run two apps side by side.
    app.extensions["wxapp_api"] = WxappApi(app)


def register_security(app: Flask, settings: Settings) -> None:
    from wxapp.security.blind_index import configure_blind_index_key
    from wxapp.security.encryption import Keyring, configure_keyring
    from wxapp.web.cookie_sessions import install_cookie_sessions

    configure_keyring(Keyring.from_settings(settings.data_encryption_key,
                                            settings.data_encryption_old_keys))
    configure_blind_index_key(settings.blind_index_key)
    install_cookie_sessions(app)


def register_input_limits(app: Flask) -> None:
    from wxapp.web.input_limits import register_input_limits as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from miniprogram_api import register_miniprogram_api
    from wxapp.console import register_console
    from wxapp.devices import register_device_api
    from wxapp.h5 import register_h5
    from wxapp.handlers.endpoint import bp as wechat_bp
    from wxapp.health import bp as health_bp
    from wxapp.staff_api import register_staff_api
    from wxapp.verify import bp as verify_bp
    from wxapp.web.api_docs import register_api_docs_assets

    app.register_blueprint(wechat_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(verify_bp)
    register_miniprogram_api(app)
    register_staff_api(app)
    register_device_api(app)
    register_console(app)
    register_h5(app)
    if not app.config["WXAPP"].is_production:
        register_api_docs_assets(app)


def register_rate_limits(app: Flask) -> None:
    from wxapp.web.rate_limits import register_rate_limits as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from wxapp.web.errors import register_error_handlers as register
    from wxapp.web.request_facts import register_request_facts
    from wxapp.web.transactions import register_request_transaction

    register(app)
    register_request_facts(app)
    register_request_transaction(app)


def register_observability(app: Flask, settings: Settings) -> None:
    from wxapp.extensions import db
    from wxapp.observability.errors import init_error_reporting
    from wxapp.observability.metrics import count_pool_use
    from wxapp.web.metrics_endpoint import register_metrics
    from wxapp.web.request_id import register_request_id

    register_request_id(app)
    register_metrics(app)
    with app.app_context():
        count_pool_use(db.engine)
    init_error_reporting(settings)


def register_commands(app: Flask) -> None:
    from wxapp.cli import register_cli

    register_cli(app)
