"""Every staff query is filtered by the staff member's township or village, in one place."""
from __future__ import annotations

from wxapp.models import StaffUser


def scoped(query, staff: StaffUser, township_column, village_column):
    query = query.where(township_column == staff.township_id)
    if staff.role == "village_worker":
        query = query.where(village_column == staff.village_id)
    return query
