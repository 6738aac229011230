"""Run a job function with the request-style transaction.

The worker (``flask --app wsgi jobs worker``) and inline jobs (no Redis) both run inside the
app context that the CLI or the request pushed, so a job never builds an app of its own."""
from __future__ import annotations

from functools import wraps

from wxapp.transactions import commit, rollback


def job(func):
    """A job commits once at its end and rolls back on error, like a request."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            commit()
            return result
        except Exception:
            rollback()
            raise

    return wrapper
