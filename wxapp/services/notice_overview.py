"""The office's view of every notice sent to residents in a month: what it was about, how it
reached her, and which still wait in her notice list because no WeChat message or text did.

For the township office and reviewers, who see the whole township (residents belong to no
village until a record places them, and a deployment serves one township, as with hand-overs).
Names are masked; a pickup's notice shows its kind, never a title. Reading a page is audited
with the notices it listed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wxapp.china_time import to_china
from wxapp.errors import Forbidden
from wxapp.extensions import db
from wxapp.formats.spreadsheets import month_bounds
from wxapp.models import ResidentNotice, ResidentProfile, StaffUser
from wxapp.security.masking import mask_name
from wxapp.services.audit import Actor, record_audit
from wxapp.services.notice_deliveries import attempt_label, reached_label

VIEWERS = ("township_admin", "reviewer")
PER_PAGE = 50
# What a notice is about, by the first part of its subject ("booking:7").
SUBJECT_LABELS = {"registration": "生育登记", "booking": "孕前检查", "handover": "居民留言",
                  "pickup": "自助领取", "rating": "好差评回访"}
# A pickup's notices by kind: what happened, in words that name nothing she took.
PICKUP_KINDS = {"pickup_follow_up": "使用回访", "pickup_expiring": "领取码将失效",
                "pickup_not_dispensed": "领取未完成"}


@dataclass(frozen=True)
class NoticeRow:
    id: int
    at: datetime  # China time
    about: str  # SUBJECT_LABELS' key, or ""
    about_label: str
    record_id: int | None
    what: str
    name: str  # masked
    reached: str
    pending: bool  # the delivery job has not finished with it
    waiting: bool  # only in her notice list
    attempts: list[str]
    read: bool


@dataclass(frozen=True)
class NoticePage:
    rows: list[NoticeRow]
    total: int
    page: int
    pages: int


def _subject(subject: str | None) -> tuple[str, int | None]:
    kind, _, number = (subject or "").partition(":")
    if kind not in SUBJECT_LABELS:
        return "", None
    return kind, int(number) if number.isdigit() else None


def _row(notice: ResidentNotice, name: str | None) -> NoticeRow:
    about, record_id = _subject(notice.subject)
    what = PICKUP_KINDS.get(notice.kind, "自助服务提醒") if about == "pickup" else notice.title
    return NoticeRow(
        id=notice.id, at=to_china(notice.created_at), about=about,
        about_label=SUBJECT_LABELS.get(about, "其他"), record_id=record_id, what=what,
        name=mask_name(name) or "（未留姓名）", reached=reached_label(notice.delivered_via),
        pending=notice.delivered_via is None, waiting=notice.delivered_via == "notice_list",
        attempts=[attempt_label(d.channel, d.status) for d in notice.deliveries
                  if d.channel != "notice_list"],
        read=notice.read_at is not None)


def recent_notices(staff: StaffUser, month: str, *, about: str | None = None,
                   waiting_only: bool = False, page: int = 1) -> NoticePage:
    """``month`` as ``YYYY-MM`` in China time (a bad one raises ``report.month``)."""
    if staff.role not in VIEWERS:
        raise Forbidden("auth.role_forbidden", "您的账号没有此项权限。")
    start, end = month_bounds(month)
    query = select(ResidentNotice).where(ResidentNotice.created_at >= start,
                                         ResidentNotice.created_at < end)
    if about in SUBJECT_LABELS:
        query = query.where(ResidentNotice.subject.like(f"{about}:%"))
    if waiting_only:
        query = query.where(ResidentNotice.delivered_via == "notice_list")
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    found = db.session.execute(
        query.add_columns(ResidentProfile.name)
        .outerjoin(ResidentProfile, ResidentProfile.resident_id == ResidentNotice.resident_id)
        .options(selectinload(ResidentNotice.deliveries))
        .order_by(ResidentNotice.created_at.desc(), ResidentNotice.id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    rows = [_row(notice, name) for notice, name in found]
    record_audit(Actor("staff", str(staff.id)), "notices.list", "resident_notice", None,
                 {"ids": [row.id for row in rows], "month": month})
    return NoticePage(rows=rows, total=total, page=page, pages=pages)
