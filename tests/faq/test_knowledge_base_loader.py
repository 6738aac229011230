"""Loading and validating knowledge-base files; filling township facts into answers."""
from __future__ import annotations

import pytest

from wxapp.faq.knowledge_base import (
    KnowledgeBaseError,
    fill_placeholders,
    load_knowledge_base,
    validate_entries,
)

CATEGORIES = {"folic": "叶酸", "service": "办事服务"}
GOOD = {"code": "folic.what", "category": "folic", "question": "叶酸怎么吃",
        "similar_questions": ["叶酸吃多久"], "answer": "每天0.4毫克。"}


def _problems(entries):
    with pytest.raises(KnowledgeBaseError) as err:
        validate_entries(entries, CATEGORIES)
    return err.value.problems


def test_valid_entries_load():
    [entry] = validate_entries([GOOD], CATEGORIES)
    assert entry.code == "folic.what" and entry.similar_questions == ("叶酸吃多久",)


@pytest.mark.parametrize("change,expected", [
    ({"question": ""}, "question"),
    ({"code": "Folic What"}, "code"),
    ({"category": "weather"}, "category"),
    ({"similar_questions": "叶酸"}, "similar_questions"),
    ({"answer": "请拨打{office_fax}"}, "office_fax"),
    ({"enabled": "yes"}, "enabled"),
    ({"colour": "red"}, "colour"),
])
def test_each_problem_names_the_entry_and_the_field(change, expected):
    problems = _problems([GOOD, {**GOOD, "code": "folic.get", **change}])
    assert len(problems) >= 1
    assert all("第2条" in p for p in problems) and any(expected in p for p in problems)


def test_duplicate_codes_are_refused():
    assert any("重复" in p for p in _problems([GOOD, GOOD]))


def test_every_problem_of_a_file_is_reported_at_once():
    problems = _problems([{**GOOD, "question": ""}, {**GOOD, "code": "folic.x", "answer": ""}])
    assert len(problems) == 2


def test_broken_yaml_is_a_clear_error():
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base("entries: [\n  - {code: x")
    assert "YAML" in str(err.value)


def test_placeholders_are_filled_and_missing_values_fall_back_to_words():
    text = fill_placeholders("请拨打{office_phone}，{review_working_days}个工作日内办结。",
                             {"office_phone": "0000-1234567"})
    assert text.startswith("请拨打0000-1234567") and "{" not in text
