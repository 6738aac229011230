"""What the services may know about the request they serve (the caller's address, for the
audit log), handed over at the start of every request and taken back at its end, so that
services never read Flask's request themselves and a thread reused by the next request
starts clean."""
from __future__ import annotations

from flask import Flask, request

from wxapp.services.audit import RequestFacts, set_request_facts


def register_request_facts(app: Flask) -> None:
    @app.before_request
    def _hand_over_request_facts():
        set_request_facts(RequestFacts(address=request.remote_addr))

    @app.teardown_request
    def _take_back_request_facts(exc):
        set_request_facts(None)
