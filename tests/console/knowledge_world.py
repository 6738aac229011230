"""The shipped knowledge base seeded, questions residents asked through the real ask endpoint,
and what the database holds about entries and the question log, for the knowledge pages'
tests."""
from __future__ import annotations

from sqlalchemy import func, select

from wxapp.extensions import db
from wxapp.models import AuditLog, KnowledgeEntry, QuestionLog
from wxapp.seeding.seed import seed_default
from wxapp.transactions import commit

ENTRIES = "/console/knowledge"


def seed_knowledge(app) -> None:
    with app.app_context():
        seed_default()
        commit()


def resident_asks(client, question: str) -> dict:
    """The mini-program's question box, as a resident uses it."""
    response = client.post("/api/v1/faq/ask", json={"question": question})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def entry(app, code: str) -> dict | None:
    with app.app_context():
        row = db.session.scalars(select(KnowledgeEntry).filter_by(code=code)).first()
        if row is None:
            return None
        return {"code": row.code, "category": row.category, "question": row.question,
                "similar_questions": list(row.similar_questions or []),
                "keywords": list(row.keywords or []), "answer": row.answer,
                "enabled": row.enabled, "hit_count": row.hit_count}


def audits(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)).filter_by(action=action))


def logged_questions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(QuestionLog.id)))


def unresolved_ids(app, text: str) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(QuestionLog.id).where(
            QuestionLog.text == text, QuestionLog.resolved_code.is_(None))))


def form_of(saved: dict, **changes) -> dict:
    """The editor's form as the page sends it for ``saved``, with ``changes``."""
    from wxapp.console.knowledge_forms import version_of

    data = {"category": saved["category"], "question": saved["question"],
            "similar_questions": saved["similar_questions"],
            "keywords": "、".join(saved["keywords"]), "answer": saved["answer"],
            "enabled": "1" if saved["enabled"] else "",
            "version": version_of({**saved, "keywords": saved["keywords"]})}
    data.update(changes)
    return {k: v for k, v in data.items() if v not in (None, "")}
