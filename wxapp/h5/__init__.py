"""The resident's pages in the official account (/h5/): sign-in by WeChat web authorisation,
then the pages themselves, which call the same JSON API as the mini-program."""
from __future__ import annotations

from flask import Flask


def register_h5(app: Flask) -> None:
    from wxapp.h5.auth import register_h5_auth

    register_h5_auth(app)
