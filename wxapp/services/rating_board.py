"""What the console's 好差评 page shows, on ``services.ratings`` (its scope, audit and rules):
a month's satisfaction by service and by village, and the office's call-back lists.

Invariants: the summary is counts only, never who rated; a group of fewer than
``FEWEST_FOR_SHARE`` ratings is given as counts, without a percentage (one 差评 out of two is
not "50 % dissatisfied", and a share of a handful points at the handful); a call-back row
holds the rater masked (in full only through the audited reveal) and is never about the
viewer's own work (``ratings.callbacks_for`` leaves those out, and audits the read)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wxapp.china_time import china_today, to_china
from wxapp.extensions import db
from wxapp.models import StaffUser
from wxapp.models.base import utcnow
from wxapp.models.ratings import RATED_SERVICES, SCORE_LABELS
from wxapp.security.masking import mask_name, mask_phone, redact_identifiers
from wxapp.services import ratings
from wxapp.services.registration.desk_queue import village_names

FEWEST_FOR_SHARE = 5
SATISFIED_SCORES = (5, 4, 3)  # 基本满意 or better, as the national 好差评 counts it
NO_VILLAGE = "不属于某村（社区）"


@dataclass(frozen=True)
class SatisfactionRow:
    label: str
    by_score: dict[int, int]  # 5 (非常满意) … 1 (非常不满意) -> how many

    @property
    def total(self) -> int:
        return sum(self.by_score.values())

    @property
    def satisfied(self) -> int:
        return sum(self.by_score[score] for score in SATISFIED_SCORES)

    @property
    def share_percent(self) -> float | None:
        """Share at least 基本满意, or None for a group too small to give one."""
        if self.total < FEWEST_FOR_SHARE:
            return None
        return round(100 * self.satisfied / self.total, 1)


@dataclass(frozen=True)
class MonthOverview:
    month: str
    by_service: list[SatisfactionRow]
    by_village: list[SatisfactionRow]
    overall: SatisfactionRow


def _empty_scores() -> dict[int, int]:
    return {score: 0 for score in SCORE_LABELS}


def month_overview(staff: StaffUser, month: str) -> MonthOverview:
    """``month`` (YYYY-MM, China's calendar) within the staff member's area; a malformed
    month raises ``ValidationFailed`` (``report.month``)."""
    services = {service: _empty_scores() for service in RATED_SERVICES}
    villages = village_names(staff)
    by_village: dict[int | None, dict[int, int]] = {vid: _empty_scores() for vid in villages}
    overall = _empty_scores()
    for row in ratings.monthly_summary(staff, month):
        for raw_score, count in row["by_score"].items():
            score = int(raw_score)
            services[row["service"]][score] += count
            by_village.setdefault(row["village_id"], _empty_scores())[score] += count
            overall[score] += count
    village_rows = [SatisfactionRow(villages.get(vid, NO_VILLAGE), scores)
                    for vid, scores in by_village.items() if vid is not None]
    if None in by_village:
        village_rows.append(SatisfactionRow(NO_VILLAGE, by_village[None]))
    return MonthOverview(
        month=month,
        by_service=[SatisfactionRow(ratings.SERVICE_LABELS[s], services[s])
                    for s in RATED_SERVICES],
        by_village=village_rows, overall=SatisfactionRow("合计", overall))


def current_month(now: datetime | None = None) -> str:
    return china_today(now).strftime("%Y-%m")


def neighbour_month(month: str, step: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) + step
    year, number = year + (number - 1) // 12, (number - 1) % 12 + 1
    return f"{year:04d}-{number:02d}"


# -- call-backs (the township office) -----------------------------------------------------------
@dataclass(frozen=True)
class CallbackRow:
    id: int
    status: str  # open / appealed
    service_label: str
    score: int
    score_label: str
    comment: str | None
    village: str
    rated_at: datetime
    due_at: datetime | None
    due_state: str | None  # overdue / due_today / None
    handler: str | None  # who handled the service (the office follows up with them)
    rater_name: str  # masked
    rater_phone: str  # masked
    callback_note: str | None
    callback_done_at: datetime | None
    appeal: str | None
    appealed_at: datetime | None


@dataclass(frozen=True)
class CallbackBoard:
    open: list[CallbackRow]
    appealed: list[CallbackRow]

    @property
    def overdue(self) -> int:
        return sum(row.due_state == "overdue" for row in self.open + self.appealed)


def due_state(due_at: datetime | None, now: datetime) -> str | None:
    if due_at is None:
        return None
    if to_china(due_at) < to_china(now):
        return "overdue"
    if to_china(due_at).date() == china_today(now):
        return "due_today"
    return None


def _staff_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(
        select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))).all())


def callback_board(staff: StaffUser, now: datetime | None = None) -> CallbackBoard:
    """Poor ratings waiting for the office, soonest due first: the open ones, and those whose
    rater disagreed with the handling (to be handled again)."""
    now = now or utcnow()
    items = ratings.callbacks_for(staff)
    raters = ratings.raters_of(item.resident_id for item in items)
    handlers = _staff_names(item.staff_id for item in items)
    villages = village_names(staff)
    rows = []
    for item in items:
        profile = raters.get(item.resident_id)
        rows.append(CallbackRow(
            id=item.id, status=item.callback_status,
            service_label=ratings.SERVICE_LABELS[item.service], score=item.score,
            score_label=SCORE_LABELS[item.score],
            # Her own words, without the ID or phone numbers some type into a comment:
            # who she is comes only through the audited reveal.
            comment=redact_identifiers(item.comment) if item.comment else None,
            village=villages.get(item.village_id, NO_VILLAGE),
            rated_at=item.created_at, due_at=item.callback_due_at,
            due_state=due_state(item.callback_due_at, now),
            handler=handlers.get(item.staff_id),
            rater_name=mask_name(profile.name) if profile else "",
            rater_phone=mask_phone(profile.phone) if profile else "",
            callback_note=item.callback_note, callback_done_at=item.callback_done_at,
            appeal=redact_identifiers(item.appeal) if item.appeal else None,
            appealed_at=item.appealed_at))
    return CallbackBoard(open=[r for r in rows if r.status == "open"],
                         appealed=[r for r in rows if r.status == "appealed"])
