"""Swagger UI for /api/v1/docs, served from the pinned flask-swagger-ui package rather than a
CDN: development machines here have no internet, and a docs page that loads nothing is blank.
flask-smorest renders the page; this only serves the assets it names."""
from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, Flask

ASSETS_URL = "/api/v1/docs/assets/"


def register_api_docs_assets(app: Flask) -> None:
    dist = files("flask_swagger_ui") / "dist"
    app.register_blueprint(Blueprint("api_docs_assets", __name__, static_folder=str(dist),
                                     static_url_path=ASSETS_URL.rstrip("/")))
