"""The mini-program's JSON API under /api/v1/, documented as OpenAPI by flask-smorest."""
from __future__ import annotations

from flask import Flask


def register_miniprogram_api(app: Flask) -> None:
    from miniprogram_api.auth import blp as auth_blp
    from miniprogram_api.consent import blp as consent_blp
    from miniprogram_api.faq import blp as faq_blp
    from miniprogram_api.handovers import blp as handovers_blp
    from miniprogram_api.me import blp as me_blp
    from miniprogram_api.ratings import blp as ratings_blp
    from miniprogram_api.regions import blp as regions_blp
    from miniprogram_api.registrations import blp as registrations_blp
    from miniprogram_api.screening import blp as screening_blp
    from miniprogram_api.supplies import blp as supplies_blp

    api = app.extensions["wxapp_api"]
    for blueprint in (auth_blp, me_blp, faq_blp, consent_blp, registrations_blp, regions_blp,
                      screening_blp, supplies_blp, ratings_blp, handovers_blp):
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
