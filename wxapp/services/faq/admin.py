"""Staff's side of the knowledge base: edit entries, import/export, learn from unanswered
questions. Every change invalidates the live index in every worker after its commit."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from wxapp.errors import NotFound, ValidationFailed
from wxapp.extensions import db
from wxapp.faq.knowledge_base import KnowledgeBaseError, load_knowledge_base, validate_entries
from wxapp.models.faq import Handover, KnowledgeEntry, NotOursQuestion, QuestionLog
from wxapp.services.audit import Actor, record_audit
from wxapp.services.faq.live_index import invalidate_after_commit

DEFAULT_KB = Path(__file__).resolve().parents[2] / "faq" / "data" / "knowledge_base.yaml"
EXPORT_FIELDS = ("code", "category", "question", "similar_questions", "keywords", "answer",
                 "enabled")


def entry_as_dict(entry: KnowledgeEntry) -> dict:
    return {
        "code": entry.code, "category": entry.category, "question": entry.question,
        "similar_questions": list(entry.similar_questions or []),
        "keywords": list(entry.keywords or []), "answer": entry.answer,
        "enabled": entry.enabled, "hit_count": entry.hit_count,
        "updated_at": entry.updated_at,
    }


def list_entries(category: str | None = None, enabled: bool | None = None,
                 search: str | None = None) -> list[KnowledgeEntry]:
    query = select(KnowledgeEntry).order_by(KnowledgeEntry.code)
    if category:
        query = query.where(KnowledgeEntry.category == category)
    if enabled is not None:
        query = query.where(KnowledgeEntry.enabled.is_(enabled))
    entries = list(db.session.scalars(query))
    words = (search or "").split()
    if words:
        # The phrasings are a JSON list, which SQLite and PostgreSQL search differently; a
        # township's knowledge base is a few hundred entries at most.
        def text_of(e: KnowledgeEntry) -> str:
            return " ".join([e.code, e.question, e.answer, *(e.similar_questions or []),
                             *(e.keywords or [])]).lower()
        entries = [e for e in entries if all(w.lower() in text_of(e) for w in words)]
    return entries


def get_entry(code: str) -> KnowledgeEntry:
    entry = db.session.scalars(select(KnowledgeEntry).filter_by(code=code)).first()
    if entry is None:
        raise NotFound("faq.entry_not_found", "没有找到该问答条目。")
    return entry


def _validated(raw: list[dict], categories: dict | None = None) -> list:
    try:
        return validate_entries(raw, categories=categories or known_categories())
    except KnowledgeBaseError as exc:
        raise ValidationFailed("faq.invalid_entry", str(exc)) from exc


def known_categories() -> dict[str, str]:
    return load_knowledge_base(DEFAULT_KB).categories


def _apply(entry: KnowledgeEntry, valid, staff_id: int | None) -> None:
    entry.category = valid.category
    entry.question = valid.question
    entry.similar_questions = list(valid.similar_questions)
    entry.keywords = list(valid.keywords)
    entry.answer = valid.answer
    entry.enabled = valid.enabled
    entry.updated_by_staff_id = staff_id


def create_entry(staff, data: dict) -> KnowledgeEntry:
    [valid] = _validated([data])
    if db.session.scalars(select(KnowledgeEntry).filter_by(code=valid.code)).first():
        raise ValidationFailed("faq.duplicate_code", f"编码 {valid.code} 已存在。")
    entry = KnowledgeEntry(code=valid.code)
    _apply(entry, valid, staff.id)
    db.session.add(entry)
    db.session.flush()
    record_audit(Actor("staff", str(staff.id)), "faq.create", "faq_entry", entry.code)
    invalidate_after_commit()
    return entry


def update_entry(staff, code: str, changes: dict) -> KnowledgeEntry:
    entry = get_entry(code)
    merged = {**entry_as_dict(entry), **changes, "code": code}
    [valid] = _validated([{k: merged[k] for k in EXPORT_FIELDS}])
    _apply(entry, valid, staff.id)
    db.session.flush()
    record_audit(Actor("staff", str(staff.id)), "faq.update", "faq_entry", code,
                 {"fields": sorted(changes)})
    invalidate_after_commit()
    return entry


def export_entries() -> list[dict]:
    return [{k: entry_as_dict(e)[k] for k in EXPORT_FIELDS} for e in list_entries()]


def import_entries(raw: list[dict], staff_id: int | None = None,
                   categories: dict | None = None) -> dict[str, int]:
    """Validate every entry first; only a wholly valid file changes anything."""
    valid_entries = _validated(raw, categories)
    existing = {e.code: e for e in db.session.scalars(select(KnowledgeEntry))}
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for valid in valid_entries:
        entry = existing.get(valid.code)
        if entry is None:
            entry = KnowledgeEntry(code=valid.code)
            db.session.add(entry)
            _apply(entry, valid, staff_id)
            counts["added"] += 1
            continue
        before = {k: entry_as_dict(entry)[k] for k in EXPORT_FIELDS}
        _apply(entry, valid, staff_id)
        after = {k: entry_as_dict(entry)[k] for k in EXPORT_FIELDS}
        counts["updated" if before != after else "unchanged"] += 1
    db.session.flush()
    if counts["added"] or counts["updated"]:
        invalidate_after_commit()
    return counts


def load_default_knowledge_base() -> int:
    """Seed: add the shipped entries that are missing; never overwrite staff's edits."""
    kb = load_knowledge_base(DEFAULT_KB)
    existing = set(db.session.scalars(select(KnowledgeEntry.code)))
    added = 0
    for valid in kb.entries:
        if valid.code in existing:
            continue
        entry = KnowledgeEntry(code=valid.code)
        _apply(entry, valid, None)
        db.session.add(entry)
        added += 1
    db.session.flush()
    if added:
        invalidate_after_commit()
    return added


def answer_figures(since: datetime) -> dict[str, int]:
    """What the bot did with the questions asked since ``since``, and how many residents
    left a message for staff (转人工) in the same time: counts only, as the log has no asker.
    Hand-overs are counted beside the questions, not among them: a message for staff is not
    one of the questions put to the bot."""
    outcomes = dict(db.session.execute(
        select(QuestionLog.outcome, func.count()).where(QuestionLog.asked_at >= since)
        .group_by(QuestionLog.outcome)).all())
    handed_over = db.session.scalar(select(func.count()).select_from(Handover).where(
        Handover.created_at >= since))
    return {"answered": outcomes.get("answered", 0), "suggested": outcomes.get("suggested", 0),
            "not_answered": outcomes.get("not_answered", 0), "handed_over": handed_over or 0,
            "questions": sum(outcomes.values())}


def unanswered_groups(limit: int = 50) -> list[dict]:
    """Unanswered questions, near-duplicates grouped, most asked first; those staff marked
    as not the office's business are left out."""
    from wxapp.faq.grouping import group_similar

    rows = list(db.session.scalars(
        select(QuestionLog).where(QuestionLog.outcome.in_(("not_answered", "suggested")),
                                  QuestionLog.resolved_code.is_(None),
                                  QuestionLog.text.not_in(select(NotOursQuestion.text)))
        .order_by(QuestionLog.asked_at.desc()).limit(2000)))
    groups = group_similar([(row.id, row.text) for row in rows])
    out = [{"representative": g.representative, "count": len(g.ids), "log_ids": g.ids,
            "examples": g.texts[:5]} for g in groups]
    out.sort(key=lambda g: -g["count"])
    return out[:limit]


def attach_as_similar_question(staff, log_ids: list[int], code: str) -> KnowledgeEntry:
    """One step from "the bot could not answer this" to "now it can": the first question of
    a group becomes a similar question of the entry, and the whole group is resolved."""
    return attach_group(staff, log_ids, code)[0]


def attach_group(staff, log_ids: list[int], code: str) -> tuple[KnowledgeEntry, bool]:
    """``attach_as_similar_question``, and whether it did anything: the same group sent again
    (a double click, a retry) finds it done and changes, audits and rebuilds nothing."""
    # The entry is locked first, so that a second click waiting behind the first reads the
    # group as the first left it.
    entry = db.session.scalars(select(KnowledgeEntry).filter_by(code=code)
                               .with_for_update()).first()
    if entry is None:
        raise NotFound("faq.entry_not_found", "没有找到该问答条目。")
    logs = list(db.session.scalars(select(QuestionLog).where(QuestionLog.id.in_(log_ids))))
    if not logs:
        raise NotFound("faq.question_not_found", "没有找到该问题记录。")
    text = next(log.text for log in sorted(logs, key=lambda log: log_ids.index(log.id)))
    if all(log.resolved_code == code for log in logs) and (
            text in (entry.similar_questions or []) or text == entry.question):
        return entry, False
    similar = list(entry.similar_questions or [])
    if text not in similar and text != entry.question:
        similar.append(text)
    entry.similar_questions = similar
    entry.updated_by_staff_id = staff.id
    texts = {log.text for log in logs}
    db.session.execute(
        QuestionLog.__table__.update()
        .where(QuestionLog.text.in_(texts), QuestionLog.resolved_code.is_(None))
        .values(resolved_code=code))
    record_audit(Actor("staff", str(staff.id)), "faq.attach_question", "faq_entry", code)
    db.session.flush()
    invalidate_after_commit()
    return entry, True
