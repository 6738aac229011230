"""The request boundary of the commit-once rule: a successful request commits, anything else
rolls back. The rule itself (after_commit, commit, rollback) is wxapp.transactions, shared with
jobs and commands, which have no request."""
from __future__ import annotations

from flask import Flask

from wxapp.transactions import commit, rollback


def register_request_transaction(app: Flask) -> None:
    @app.after_request
    def _commit_successful_requests(response):
        if response.status_code < 400:
            commit()
        else:
            rollback()
        return response

    @app.teardown_request
    def _rollback_on_exception(exc):
        if exc is not None:
            rollback()
