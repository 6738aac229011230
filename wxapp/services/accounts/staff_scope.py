"""Every staff query is filtered by the staff member's township, village or clinics, in one
place.

Township office and reviewers see their township; a village worker sees her village; clinic
staff see what belongs to the clinics they work at. A query about rows that belong to no
village (a clinic itself) shows a village worker nothing, and a query naming a clinic shows
clinic staff nothing outside their clinics (none at all while they have no clinic yet)."""
from __future__ import annotations

from sqlalchemy import false, select

from wxapp.models import StaffUser
from wxapp.models.staff import staff_clinics


def staff_clinic_ids(staff: StaffUser):
    """The clinics a staff member works at, as a subquery."""
    return select(staff_clinics.c.clinic_id).where(staff_clinics.c.staff_id == staff.id)


def scoped(query, staff: StaffUser, township_column, village_column, *, clinic_column=None):
    query = query.where(township_column == staff.township_id)
    if staff.role == "village_worker":
        if village_column is None:
            return query.where(false())
        query = query.where(village_column == staff.village_id)
    if staff.role == "clinic" and clinic_column is not None:
        query = query.where(clinic_column.in_(staff_clinic_ids(staff)))
    return query
