from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import _clean, make_app

METRICS_TOKEN = "test-metrics-token-0123456789"


@pytest.fixture
def app(migrated, base_settings):
    """The app as production logs: JSON lines; /metrics behind a token."""
    app = make_app(replace(base_settings, log_format="json", metrics_token=METRICS_TOKEN))
    yield app
    _clean(app)
