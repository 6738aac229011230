"""The staff JSON API under /api/v1/staff/, used by the console."""
from __future__ import annotations

from flask import Flask


def register_staff_api(app: Flask) -> None:
    from wxapp.staff_api.accounts import blp as accounts_blp
    from wxapp.staff_api.auth import blp as auth_blp
    from wxapp.staff_api.faq import blp as faq_blp
    from wxapp.staff_api.ratings import blp as ratings_blp
    from wxapp.staff_api.registrations import blp as registrations_blp
    from wxapp.staff_api.screening import blp as screening_blp
    from wxapp.staff_api.screening_programme import blp as programme_blp
    from wxapp.staff_api.supplies import blp as supplies_blp

    api = app.extensions["wxapp_api"]
    for blueprint in (auth_blp, accounts_blp, faq_blp, registrations_blp, screening_blp,
                      programme_blp, supplies_blp, ratings_blp):
        api.register_blueprint(blueprint, url_prefix=f"/api/v1/staff{blueprint.url_prefix or ''}")
