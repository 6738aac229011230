"""Run a job function inside an app context with the request-style transaction."""
from __future__ import annotations

from functools import wraps

from flask import has_app_context

from wxapp.web.transactions import commit, rollback


def job(func):
    """A job commits once at its end and rolls back on error, like a request."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return _run(func, args, kwargs)
        from wxapp import create_app

        with create_app().app_context():
            return _run(func, args, kwargs)

    return wrapper


def _run(func, args, kwargs):
    try:
        result = func(*args, **kwargs)
        commit()
        return result
    except Exception:
        rollback()
        raise
