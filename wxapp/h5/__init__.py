"""The resident's pages in the official account (/h5/): sign-in by WeChat web authorisation,
then the pages themselves, which call the same JSON API as the mini-program."""
from __future__ import annotations

from flask import Flask


def register_h5(app: Flask) -> None:
    from wxapp.h5.auth import register_h5_auth
    from wxapp.h5.pages import bp as pages_bp

    register_h5_auth(app)
    app.register_blueprint(pages_bp)
