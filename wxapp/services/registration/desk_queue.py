"""The registration desk's queue: which applications a staff member sees, filtered, searched
and paged, with personal data masked.

Invariant: every row comes through ``registration_scope`` (the staff member's township, or her
village), the same scope as the staff API's queue and detail; a search never widens it. Rows
carry masked names and ID numbers only, and every listing is audited without the search text
(a typed ID number or name is itself personal data: the audit keeps only its kind).

Names and phone numbers are encrypted at rest without a look-up index, so a search by name or
phone decrypts those columns of the rows in scope (after the other filters) and compares in
memory. A township files a few hundred registrations a year, so this stays a few thousand rows;
a full ID number is found through the blind index instead, as everywhere else.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Text, cast, func, select

from wxapp.china_time import china_midnight, china_today, to_china
from wxapp.extensions import db
from wxapp.models import BirthRegistration, StaffUser, Village
from wxapp.models.base import utcnow
from wxapp.models.registrations import OPEN_STATUSES, STATUS_LABELS
from wxapp.security.blind_index import id_number_index
from wxapp.security.identity import InvalidIdentity, normalise_id_number, normalise_mobile
from wxapp.security.masking import mask_id_number, mask_name
from wxapp.services.accounts.staff_scope import scoped
from wxapp.services.audit import Actor, record_audit

# due: a reviewer's day (waiting for review, deadline today or passed); open: a village
# worker's unfinished work (returned to the family to fix, waiting at the township, a
# correction under review); all: everything in scope.
VIEWS = ("due", "open", "all")
VIEW_LABELS = {"due": "今日到期及超期", "open": "本村待办", "all": "全部申请"}
OPEN_WORK = ("returned", "submitted", "correction_requested")
# Statuses a staff member can filter by (drafts never leave the resident's phone).
STATUS_CHOICES = ("submitted", "returned", "correction_requested", "approved", "rejected",
                  "withdrawn")
CHILD_ORDER_CHOICES = {1: "一孩", 2: "二孩", 3: "三孩及以上"}
PAGE_SIZE = 20

# What a typed search is taken for.
SEARCH_KINDS = {"id_number": "身份证号码", "phone": "手机号码", "number": "编号或验证码",
                "name": "姓名"}
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_NUMBER_SHAPE = re.compile(r"[A-Z0-9]{1,24}")
_MAX_SEARCH = 64


@dataclass(frozen=True)
class QueueFilters:
    view: str = "all"
    status: str | None = None
    village_id: int | None = None
    child_order: int | None = None  # 3 stands for three or more
    conflict: bool | None = None
    overdue: bool | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    id: int
    application_no: str | None
    registration_number: str | None
    status: str
    status_label: str
    mother_name: str  # masked
    father_name: str  # masked
    mother_id_number: str  # masked
    village_id: int | None
    village_name: str
    child_order: int
    conflict_flags: list[str]
    submitted_at: datetime | None
    due_at: datetime | None
    due_state: str | None  # overdue / due_today / None (nothing due, or later)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    search_kind: str | None = None
    filters: QueueFilters = field(default_factory=QueueFilters)


# -- the scope and the filters the staff API shares ----------------------------------------
def registration_scope(staff: StaffUser, query=None):
    """Registrations the staff member may see: her township, or her village."""
    query = select(BirthRegistration) if query is None else query
    return scoped(query, staff, BirthRegistration.township_id, BirthRegistration.village_id)


def late_condition(now: datetime):
    """Waiting for review past its deadline (a moment: the deadline keeps the submission's
    wall-clock time)."""
    return (BirthRegistration.status == "submitted") & (BirthRegistration.due_at < now)


def with_filters(query, *, status: str | None = None, village_id: int | None = None,
                 overdue: bool | None = None, now: datetime | None = None):
    """The filters the staff API's queue takes; the desk adds its own on top."""
    if status:
        query = query.where(BirthRegistration.status == status)
    if village_id:
        query = query.where(BirthRegistration.village_id == village_id)
    if overdue is not None:
        late = late_condition(now or utcnow())
        query = query.where(late if overdue else ~late)
    return query


def _has_conflicts():
    # The JSON list as text: '[]' and 'null' (or SQL NULL) mean none; any flag is longer.
    return func.coalesce(func.length(cast(BirthRegistration.conflict_flags, Text)), 0) > 4


def _desk_filters(query, filters: QueueFilters, today: date, now: datetime):
    query = with_filters(query, status=filters.status, village_id=filters.village_id,
                         overdue=filters.overdue, now=now)
    if filters.view == "due":
        query = query.where(BirthRegistration.status == "submitted",
                            BirthRegistration.due_at < china_midnight(today + timedelta(days=1)))
    elif filters.view == "open":
        query = query.where(BirthRegistration.status.in_(OPEN_WORK))
    if filters.child_order:
        query = query.where(BirthRegistration.child_order >= 3 if filters.child_order >= 3
                            else BirthRegistration.child_order == filters.child_order)
    if filters.conflict is not None:
        query = query.where(_has_conflicts() if filters.conflict else ~_has_conflicts())
    if filters.submitted_from:
        query = query.where(BirthRegistration.submitted_at >= china_midnight(
            filters.submitted_from))
    if filters.submitted_to:
        query = query.where(BirthRegistration.submitted_at < china_midnight(
            filters.submitted_to + timedelta(days=1)))
    return query


def _ordered(query, view: str):
    if view == "due":
        return query.order_by(BirthRegistration.due_at, BirthRegistration.id)
    if view == "open":
        # Returned cases first: the family is waiting for the worker's help.
        returned_first = (BirthRegistration.status != "returned")
        return query.order_by(returned_first, BirthRegistration.due_at, BirthRegistration.id)
    return query.order_by(BirthRegistration.id.desc())


# -- search --------------------------------------------------------------------------------
def classify_search(text: str) -> tuple[str | None, str]:
    """(kind, normalised value) of what a staff member typed; kind None when nothing."""
    raw = (text or "").strip()[:_MAX_SEARCH]
    if not raw:
        return None, ""
    folded = normalise_id_number(raw)
    if _ID_SHAPE.fullmatch(folded):
        return "id_number", folded
    try:
        return "phone", normalise_mobile(raw)
    except InvalidIdentity:
        pass
    if _NUMBER_SHAPE.fullmatch(folded):
        return "number", folded
    return "name", raw


def _search_sql(query, kind: str, value: str):
    if kind == "id_number":
        index = id_number_index(value)
        return query.where((BirthRegistration.mother_id_index == index)
                           | (BirthRegistration.father_id_index == index))
    if kind == "number":
        return query.where((BirthRegistration.registration_number == value)
                           | (BirthRegistration.application_no == value)
                           | (BirthRegistration.certificate_code == value))
    return query


def _matching_ids_in_memory(query, kind: str, value: str) -> list[int]:
    """Ids (in the query's order) whose decrypted names contain, or phones equal, ``value``."""
    if kind == "name":
        columns = (BirthRegistration.mother_name, BirthRegistration.father_name)
    else:
        columns = (BirthRegistration.mother_phone, BirthRegistration.father_phone)
    rows = db.session.execute(query.with_only_columns(BirthRegistration.id, *columns))
    if kind == "name":
        return [row[0] for row in rows if any(value in (text or "") for text in row[1:])]
    return [row[0] for row in rows if value in row[1:]]


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


# -- the queue -----------------------------------------------------------------------------
def village_names(staff: StaffUser) -> dict[int, str]:
    query = select(Village.id, Village.name).where(Village.township_id == staff.township_id)
    if staff.role == "village_worker":
        query = query.where(Village.id == staff.village_id)
    return dict(db.session.execute(query.order_by(Village.id)).all())


def due_state(reg: BirthRegistration, today: date | None = None,
              now: datetime | None = None) -> str | None:
    if reg.status != "submitted" or reg.due_at is None:
        return None
    now = now or utcnow()
    if reg.due_at < now:
        return "overdue"
    if to_china(reg.due_at).date() == (today or china_today(now)):
        return "due_today"
    return None


def _row(reg: BirthRegistration, villages: dict[int, str], today: date, now: datetime
         ) -> QueueRow:
    return QueueRow(
        id=reg.id, application_no=reg.application_no,
        registration_number=reg.registration_number, status=reg.status,
        status_label=STATUS_LABELS.get(reg.status, reg.status),
        mother_name=mask_name(reg.mother_name), father_name=mask_name(reg.father_name),
        mother_id_number=mask_id_number(reg.mother_id_number),
        village_id=reg.village_id, village_name=villages.get(reg.village_id, ""),
        child_order=reg.child_order, conflict_flags=list(reg.conflict_flags or []),
        submitted_at=reg.submitted_at, due_at=reg.due_at,
        due_state=due_state(reg, today, now))


def desk_queue(staff: StaffUser, filters: QueueFilters, *, page_size: int = PAGE_SIZE
               ) -> QueuePage:
    now = utcnow()
    today = china_today(now)
    if filters.view not in VIEWS:
        filters = replace(filters, view="all")
    query = _ordered(_desk_filters(registration_scope(staff), filters, today, now),
                     filters.view)
    kind, value = classify_search(filters.search)
    if kind in ("name", "phone"):
        ids = _matching_ids_in_memory(query, kind, value)
        total = len(ids)
        pages = max(1, math.ceil(total / page_size))
        page = min(max(1, filters.page), pages)
        wanted = ids[(page - 1) * page_size:page * page_size]
        found = {r.id: r for r in db.session.scalars(
            select(BirthRegistration).where(BirthRegistration.id.in_(wanted)))} if wanted else {}
        regs = [found[i] for i in wanted if i in found]
    else:
        if kind is not None:
            query = _search_sql(query, kind, value)
        total = _count(query)
        pages = max(1, math.ceil(total / page_size))
        page = min(max(1, filters.page), pages)
        regs = list(db.session.scalars(query.limit(page_size).offset((page - 1) * page_size)))
    villages = village_names(staff)
    record_audit(Actor("staff", str(staff.id)), "registration.list", "birth_registration", None,
                 {"count": total, "shown": len(regs), "view": filters.view,
                  "status": filters.status, "search": kind})
    return QueuePage([_row(r, villages, today, now) for r in regs], total, page, pages, kind,
                     replace(filters, page=page))


def counts_by_view(staff: StaffUser) -> dict[str, int]:
    """How many applications each view holds now (the tabs' numbers); not audited: counts
    carry no personal data."""
    now = utcnow()
    today = china_today(now)
    counts = {}
    for view in VIEWS:
        query = _desk_filters(registration_scope(staff), QueueFilters(view=view), today, now)
        counts[view] = _count(query)
    return counts


def open_case_of_mother(staff: StaffUser, id_number: str) -> BirthRegistration | None:
    """The open registration in scope for the mother with this ID number (the one a second
    filing of the same pregnancy collided with), found through the blind index."""
    folded = normalise_id_number(id_number or "")
    if not _ID_SHAPE.fullmatch(folded):
        return None
    query = registration_scope(staff).where(
        BirthRegistration.mother_id_index == id_number_index(folded),
        BirthRegistration.status.in_(OPEN_STATUSES)).order_by(BirthRegistration.id.desc())
    return db.session.scalars(query).first()
