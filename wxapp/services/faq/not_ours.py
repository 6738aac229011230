"""Questions staff mark as not the office's business, from the unanswered list.

The bot cannot tell on its own that 城乡居民医保今年交多少钱 is the medical-insurance
office's and not the birth-cost entry's: they share 医保, 交 and 多少钱. Staff can. A marked
question joins the shipped ones (data/not_ours.yaml) in every worker's matcher, so that
questions like it are refused rather than answered with a neighbouring entry, and the
questions logged with its text leave the unanswered list. Marking again changes, audits and
rebuilds nothing; taking one off the list brings its logged questions back.

Staff can also paste a list (the questions another office hears, a list kept by another
township) and download the list as text, one question a line, to carry it elsewhere.
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from wxapp.errors import NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.models.faq import NotOursQuestion, QuestionLog
from wxapp.models.staff import StaffUser
from wxapp.security.masking import redact_identifiers
from wxapp.services.audit import Actor, record_audit
from wxapp.services.faq.live_index import get_index, invalidate_after_commit

# A group of the unanswered list is near-duplicates of one question; its distinct wordings
# are all marked, so that none of them stays behind on the list.
MAX_TEXTS_PER_GROUP = 50
# A pasted list: one office's or township's questions, not a dump of everything.
MAX_PASTED = 200
MAX_CHARS = 200
# The downloaded list's name, and the plain one for clients that cannot read a Chinese one.
TEXT_FILE_NAMES = ("不属于本办业务的问题.txt", "not-ours.txt")


def mark(staff, log_ids: list[int]) -> tuple[str, bool]:
    """Mark the wordings of one group of the unanswered list as not ours: its first question,
    and whether anything was marked (the same group sent again finds it done)."""
    logs = list(db.session.scalars(select(QuestionLog).where(QuestionLog.id.in_(log_ids))))
    if not logs:
        raise NotFound("faq.question_not_found", "没有找到该问题记录。")
    ordered = sorted(logs, key=lambda log: log_ids.index(log.id))
    texts = list(dict.fromkeys(log.text for log in ordered))[:MAX_TEXTS_PER_GROUP]
    return texts[0], bool(_add(staff, texts))


def add_listed(staff, lines: list[str]) -> tuple[int, int]:
    """Add a list of questions: (questions added, questions already listed). Blank ones and
    repeats are dropped. Nothing is added when any cannot be: too many, too long, or word for
    word one of the knowledge base's own phrasings (marking it would stop the bot answering
    it)."""
    texts = list(dict.fromkeys(
        redact_identifiers(" ".join(line.split())) for line in lines if line.strip()))
    if not texts:
        raise ValidationFailed("faq.not_ours_empty", "请粘贴要添加的问题，每行一个。",
                               details={"questions": "请粘贴要添加的问题，每行一个。"})
    if len(texts) > MAX_PASTED:
        message = f"一次最多添加 {MAX_PASTED} 个问题，请分批粘贴。"
        raise ValidationFailed("faq.not_ours_too_many", message, details={"questions": message})
    too_long = [text for text in texts if len(text) > MAX_CHARS]
    if too_long:
        message = f"每个问题不超过 {MAX_CHARS} 个字，第一个超长的是：“{too_long[0][:20]}…”。"
        raise ValidationFailed("faq.not_ours_too_long", message, details={"questions": message})
    matcher = get_index().matcher
    ours = [text for text in texts if matcher.exact_entry(text) is not None]
    if ours:
        message = (f"“{ours[0]}”是知识库里条目的问法，标记后机器人就不再回答它；"
                   "请从列表里删掉这类问题再添加。")
        raise ValidationFailed("faq.not_ours_is_ours", message,
                               details={"questions": message, "ours": ours})
    added = _add(staff, texts)
    return len(added), len(texts) - len(added)


def _add(staff, texts: list[str]) -> list[NotOursQuestion]:
    """The texts not yet listed, added (each in its own savepoint, audited), and the matchers
    told to rebuild when any was."""
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
            continue  # added at the same moment from another browser: theirs stands
        added.append(row)
    for row in added:
        record_audit(Actor("staff", str(staff.id)), "faq.not_ours", "faq_not_ours", row.id)
    if added:
        invalidate_after_commit()
    return added


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


def as_text(staff) -> str:
    """The list, one question a line, oldest first: for another township or the shipped file.
    Residents wrote these questions (identifiers redacted), so the download is audited."""
    texts = db.session.scalars(select(NotOursQuestion.text).order_by(NotOursQuestion.id))
    record_audit(Actor("staff", str(staff.id)), "faq.not_ours_exported", "faq_not_ours", None)
    return "".join(text + "\n" for text in texts)


def listed() -> list[dict]:
    """The marked questions, newest first, with who marked each."""
    rows = db.session.execute(
        select(NotOursQuestion, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == NotOursQuestion.added_by_staff_id)
        .order_by(NotOursQuestion.created_at.desc(), NotOursQuestion.id.desc())).all()
    return [{"id": row.id, "text": row.text, "marked_at": row.created_at, "marked_by": name}
            for row, name in rows]

