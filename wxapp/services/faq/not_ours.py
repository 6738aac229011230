"""Questions staff mark as not the office's business, from the unanswered list.

The bot cannot tell on its own that 城乡居民医保今年交多少钱 is the medical-insurance
office's and not the birth-cost entry's: they share 医保, 交 and 多少钱. Staff can. A marked
question joins the shipped ones (data/not_ours.yaml) in every worker's matcher, so that
questions like it are refused rather than answered with a neighbouring entry, and the
questions logged with its text leave the unanswered list. Marking again changes, audits and
rebuilds nothing; taking one off the list brings its logged questions back.
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from wxapp.errors import NotFound
from wxapp.extensions import db
from wxapp.models.faq import NotOursQuestion, QuestionLog
from wxapp.models.staff import StaffUser
from wxapp.services.audit import Actor, record_audit
from wxapp.services.faq.live_index import invalidate_after_commit

# A group of the unanswered list is near-duplicates of one question; its distinct wordings
# are all marked, so that none of them stays behind on the list.
MAX_TEXTS_PER_GROUP = 50


def mark(staff, log_ids: list[int]) -> tuple[str, bool]:
    """Mark the wordings of one group of the unanswered list as not ours: its first question,
    and whether anything was marked (the same group sent again finds it done)."""
    logs = list(db.session.scalars(select(QuestionLog).where(QuestionLog.id.in_(log_ids))))
    if not logs:
        raise NotFound("faq.question_not_found", "没有找到该问题记录。")
    ordered = sorted(logs, key=lambda log: log_ids.index(log.id))
    texts = list(dict.fromkeys(log.text for log in ordered))[:MAX_TEXTS_PER_GROUP]
    known = set(db.session.scalars(select(NotOursQuestion.text)
                                   .where(NotOursQuestion.text.in_(texts))))
    added = []
    for text in texts:
        if text in known:
            continue
        row = NotOursQuestion(text=text, added_by_staff_id=staff.id)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:
            continue  # marked at the same moment from another browser: theirs stands
        added.append(row)
    if not added:
        return texts[0], False
    for row in added:
        record_audit(Actor("staff", str(staff.id)), "faq.not_ours", "faq_not_ours", row.id)
    invalidate_after_commit()
    return texts[0], True


def unmark(staff, question_id: int) -> str | None:
    """Take a question off the list: the bot reads it as before, and its logged questions
    return to the unanswered list. The text taken off, or None if it was already off."""
    row = db.session.get(NotOursQuestion, question_id)
    if row is None:
        return None
    text = row.text
    removed = db.session.execute(delete(NotOursQuestion).where(
        NotOursQuestion.id == question_id)).rowcount
    if not removed:
        return None  # taken off at the same moment elsewhere
    record_audit(Actor("staff", str(staff.id)), "faq.not_ours_removed", "faq_not_ours",
                 question_id)
    invalidate_after_commit()
    return text


def listed() -> list[dict]:
    """The marked questions, newest first, with who marked each."""
    rows = db.session.execute(
        select(NotOursQuestion, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == NotOursQuestion.added_by_staff_id)
        .order_by(NotOursQuestion.created_at.desc(), NotOursQuestion.id.desc())).all()
    return [{"id": row.id, "text": row.text, "marked_at": row.created_at, "marked_by": name}
            for row, name in rows]

