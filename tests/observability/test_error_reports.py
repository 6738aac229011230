"""Error reports go to the county's own Sentry only when configured, and carry no resident's
ID number, phone number or push signature."""
from __future__ import annotations

import secrets
from dataclasses import replace

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from tests.conftest import _clean, make_app
from tests.observability.journey import MOTHER_ID, MOTHER_PHONE
from wxapp.observability.errors import init_error_reporting

# Made at run time: the report quotes source lines around the failure, these must not be there.
SIGNATURE = secrets.token_hex(6)
OPENID = "o_" + secrets.token_hex(6)


class CollectingTransport(Transport):
    """Keeps what would have been sent to the Sentry server."""

    def __init__(self):
        super().__init__()
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def reporting_app(migrated, base_settings):
    app = make_app(replace(base_settings, sentry_dsn="http://public@127.0.0.1:9/1"))
    transport = CollectingTransport()
    init_error_reporting(app.config["WXAPP"], transport=transport)
    yield app, transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: off again for the tests after this one
    _clean(app)


def test_nothing_is_reported_without_a_dsn(base_settings):
    assert init_error_reporting(replace(base_settings, sentry_dsn="")) is False


def test_an_error_report_carries_none_of_the_residents_numbers(reporting_app):
    from flask import Blueprint

    app, transport = reporting_app
    bp = Blueprint("boom", __name__)

    @bp.get("/boom")
    def boom():
        raise RuntimeError(f"could not file {MOTHER_ID} for {MOTHER_PHONE}")

    app.register_blueprint(bp)
    answer = app.test_client().get(
        "/boom", query_string={"signature": SIGNATURE, "openid": OPENID,
                               "id": MOTHER_ID},
        headers={"X-Request-Id": "reported-request-01"})
    assert answer.status_code == 500
    sentry_sdk.flush()
    sent = b"".join(envelope.serialize() for envelope in transport.envelopes).decode()
    assert "RuntimeError" in sent and "could not file [id-number] for [phone]" in sent
    for secret in (MOTHER_ID, MOTHER_PHONE, SIGNATURE, OPENID):
        assert secret not in sent, sent[max(0, sent.find(secret) - 200):sent.find(secret) + 50]
