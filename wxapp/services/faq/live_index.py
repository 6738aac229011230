"""The FAQ matcher each worker serves from, rebuilt when staff change an entry or mark a
question as not the office's business.

Changes bump a version number in Redis after their commit; every worker compares its own
matcher's version with Redis before answering (one GET), so an edit reaches every worker
on its next question without a restart.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import select

from wxapp.extensions import db, get_redis
from wxapp.faq.entries import FaqEntry
from wxapp.faq.matcher import FaqMatcher, not_ours_examples
from wxapp.models.faq import KnowledgeEntry, NotOursQuestion
from wxapp.transactions import after_commit

VERSION_KEY = "wxapp:faq:index_version"
_lock = threading.Lock()
# One matcher per database (apps side by side in tests each have their own engine); dropped
# with its engine.
_indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _current_version() -> int:
    return int(get_redis().get(VERSION_KEY) or 0)


def entries_from_database() -> list[FaqEntry]:
    rows = db.session.scalars(
        select(KnowledgeEntry).where(KnowledgeEntry.enabled.is_(True)).order_by(KnowledgeEntry.code))
    return [FaqEntry(code=row.code, category=row.category, question=row.question,
                     similar_questions=tuple(row.similar_questions or ()),
                     keywords=tuple(row.keywords or ()), answer=row.answer) for row in rows]


def not_ours_from_database() -> list[str]:
    """The shipped questions that are other offices' or a doctor's, and those staff marked."""
    marked = db.session.scalars(select(NotOursQuestion.text).order_by(NotOursQuestion.id))
    return [*not_ours_examples(), *marked]


@dataclass(frozen=True)
class LiveIndex:
    version: int
    matcher: FaqMatcher
    entries: dict[str, FaqEntry]


def get_index() -> LiveIndex:
    engine = db.engine
    version = _current_version()
    index = _indexes.get(engine)
    if index is None or index.version != version:
        with _lock:
            index = _indexes.get(engine)
            if index is None or index.version != version:
                entries = entries_from_database()
                matcher = FaqMatcher.build(entries, not_ours=not_ours_from_database())
                index = LiveIndex(version, matcher,
                                  {entry.code: entry for entry in entries})
                _indexes[engine] = index
    return index


def invalidate_after_commit() -> None:
    """Every worker rebuilds on its next question once this transaction has committed."""
    after_commit(lambda: get_redis().incr(VERSION_KEY))
