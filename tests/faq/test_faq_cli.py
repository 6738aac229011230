"""`flask seed` and `flask faq export/import`."""
from __future__ import annotations

import json

import yaml
from sqlalchemy import func, select

from wxapp.extensions import db
from wxapp.models import KnowledgeEntry

REQUIRED = {"code", "question", "similar_questions", "keywords", "answer", "category"}


def test_seed_twice_changes_nothing(app, app_ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count(KnowledgeEntry.id)))
    second = runner.invoke(args=["seed"])
    assert "faq_entries_added=0" in second.output
    assert db.session.scalar(select(func.count(KnowledgeEntry.id))) == count > 40


def test_export_prints_every_entry_as_json(app, knowledge_base):
    result = app.test_cli_runner().invoke(args=["faq", "export", "--format", "json"])
    entries = json.loads(result.output)
    assert len(entries) > 40 and all(set(e) >= REQUIRED for e in entries)


def test_bad_import_names_entry_and_field_and_changes_nothing(app, knowledge_base, tmp_path):
    before = app.test_cli_runner().invoke(args=["faq", "export"]).output
    bad = [{"code": "folic.what", "category": "folic", "question": "改过的问题",
            "answer": "新答案"},
           {"code": "folic.get", "category": "folic", "question": "", "answer": "x"}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["faq", "import", str(path)])
    assert result.exit_code != 0
    assert "第2条" in result.output and "folic.get" in result.output and "question" in result.output
    assert app.test_cli_runner().invoke(args=["faq", "export"]).output == before


def test_good_import_updates_and_adds(app, knowledge_base, tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump({"entries": [
        {"code": "service.parking", "category": "service", "question": "哪里停车",
         "similar_questions": ["停车场在哪"], "answer": "门口可以停车。"}]},
        allow_unicode=True), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["faq", "import", str(path)])
    assert result.exit_code == 0 and "added=1" in result.output
