"""scripts/attach_calibration_questions.py: residents' questions go under one comment per
entry, at the end of its similar questions, and nothing else in the file moves."""
from __future__ import annotations

import yaml

from scripts.attach_calibration_questions import MARKER, attach

BASE = """\
entries:
  - code: a.one
    question: 第一问
    similar_questions:
      - 一问
    keywords: [一]
  - code: b.two
    question: 第二问
    similar_questions:
      - 二问
    answer: 答
"""


def test_questions_are_attached_under_one_comment_per_entry():
    once = attach(BASE.split("\n"), {"a.one": ["俺想问 第一"], "b.two": ["第二: 咋办"]})
    twice = attach(once, {"a.one": ["又一个"]})
    data = yaml.safe_load("\n".join(twice))
    assert data["entries"][0]["similar_questions"] == ["一问", "俺想问 第一", "又一个"]
    assert data["entries"][0]["keywords"] == ["一"]
    assert data["entries"][1]["similar_questions"] == ["二问", "第二: 咋办"]
    assert twice.count(MARKER) == 2


def test_nothing_to_attach_leaves_the_file_as_it_was():
    assert attach(BASE.split("\n"), {}) == BASE.split("\n")
