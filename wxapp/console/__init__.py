"""The staff console: server-rendered pages at /console/ for reviewers, village workers, clinic
staff and the township office, on the same services (and so the same scope, audit and ledger
rules) as the staff API.

A transport like ``wxapp.staff_api``: it may import services, never another transport. What
every console page gets without asking, by path: a cookie session (``web.cookie_sessions``),
CSRF checks and security headers (``web.browser_pages``), and errors rendered as pages
(``console.pages``). Page modules add one import and one ``register_blueprint`` line below."""
from __future__ import annotations

from flask import Flask

PREFIX = "/console/"


def register_console(app: Flask) -> None:
    from wxapp.console.audit_log import bp as audit_log_bp
    from wxapp.console.auth import bp as auth_bp
    from wxapp.console.clinic import bp as clinic_bp
    from wxapp.console.dashboard import bp as dashboard_bp
    from wxapp.console.desk import bp as desk_bp
    from wxapp.console.desk_filing import bp as desk_filing_bp
    from wxapp.console.home import bp as home_bp
    from wxapp.console.inbox import bp as inbox_bp
    from wxapp.console.knowledge import bp as knowledge_bp
    from wxapp.console.notices import bp as notices_bp
    from wxapp.console.pages import install_pages
    from wxapp.console.pii import bp as pii_bp
    from wxapp.console.ratings import bp as ratings_bp
    from wxapp.console.reports import bp as reports_bp
    from wxapp.console.settings import bp as settings_bp
    from wxapp.console.staff_accounts import bp as staff_accounts_bp
    from wxapp.console.supplies import bp as supplies_bp

    install_pages(app, PREFIX)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(pii_bp)
    app.register_blueprint(audit_log_bp)
    app.register_blueprint(staff_accounts_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(desk_filing_bp)
    app.register_blueprint(knowledge_bp)
    app.register_blueprint(ratings_bp)
    app.register_blueprint(clinic_bp)
    app.register_blueprint(supplies_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(settings_bp)
