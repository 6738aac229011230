"""Fixtures borrowed from the capability suites, so that attacks here go through the same
doors a resident, a reviewer or a cabinet uses."""
from __future__ import annotations

from tests.registrations.conftest import form, resident, staff, villages  # noqa: F401
from tests.supplies.conftest import cabinet, world  # noqa: F401
