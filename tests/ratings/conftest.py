from tests.registrations.conftest import form, resident, staff, villages  # noqa: F401
