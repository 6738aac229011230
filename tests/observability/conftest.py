from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import _clean, make_app


@pytest.fixture
def app(migrated, base_settings):
    """The app as production logs: JSON lines."""
    app = make_app(replace(base_settings, log_format="json"))
    yield app
    _clean(app)
