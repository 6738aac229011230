"""Loading and validating a knowledge base (the shipped YAML file, an import, a staff edit).

Validation reports every problem of a file, each naming the entry and the field, before
anything is loaded: a bad file changes nothing.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from wxapp.faq.entries import FaqEntry

ALLOWED_PLACEHOLDERS = frozenset({
    "office_name", "office_phone", "office_address", "office_hours", "township_name",
    "review_working_days", "booking_cancel_cutoff_hours", "pickup_code_valid_minutes",
    "clinic_names", "supplies_fair_use",
})
# What a resident reads when a deployment has not set a value: never a raw "{placeholder}".
PLACEHOLDER_FALLBACKS = {
    "office_name": "镇卫健办",
    "office_phone": "镇卫健办电话",
    "office_address": "镇卫健办（镇政府便民服务中心）",
    "office_hours": "工作日办公时间",
    "township_name": "本镇",
    "review_working_days": "规定的几个工作日",
    "booking_cancel_cutoff_hours": "规定时间",
    "pickup_code_valid_minutes": "几十分钟",
    "clinic_names": "镇卫生院等定点医疗机构",
    "supplies_fair_use": "每人每月有合理的领取上限",
}
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
_FORMATTER = string.Formatter()


class KnowledgeBaseError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems) if len(problems) < 6 else
                         "；".join(problems[:5]) + f"；……共 {len(problems)} 处错误")


@dataclass(frozen=True)
class KnowledgeBase:
    categories: dict[str, str]
    entries: list[FaqEntry]


def placeholders_in(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _where(index: int, raw) -> str:
    code = raw.get("code") if isinstance(raw, dict) else None
    return f"第{index + 1}条" + (f"（{code}）" if code else "")


def _string_list(value, where: str, field: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where} 字段 {field} 应为非空文字的列表")
        return ()
    return tuple(v.strip() for v in value)


def validate_entries(raw_entries: Iterable, categories: Mapping[str, str] | None = None
                     ) -> list[FaqEntry]:
    problems: list[str] = []
    entries: list[FaqEntry] = []
    seen: set[str] = set()
    if not isinstance(raw_entries, list):
        raise KnowledgeBaseError(["entries 应为列表"])
    for index, raw in enumerate(raw_entries):
        where = _where(index, raw)
        if not isinstance(raw, dict):
            problems.append(f"{where} 应为对象")
            continue
        before = len(problems)
        for field in ("code", "category", "question", "answer"):
            if not isinstance(raw.get(field), str) or not raw[field].strip():
                problems.append(f"{where} 缺少字段 {field} 或为空")
        unknown = set(raw) - {"code", "category", "question", "similar_questions", "keywords",
                              "answer", "enabled", "hit_count", "updated_at"}
        if unknown:
            problems.append(f"{where} 有未知字段 {', '.join(sorted(unknown))}")
        code = (raw.get("code") or "").strip() if isinstance(raw.get("code"), str) else ""
        if code and not CODE_SHAPE.match(code):
            problems.append(f"{where} 字段 code 应形如 category.slug（小写字母、数字、连字符）")
        if code and code in seen:
            problems.append(f"{where} 字段 code 与前面的条目重复")
        seen.add(code)
        category = raw.get("category")
        if isinstance(category, str) and categories is not None and category not in categories:
            problems.append(f"{where} 字段 category 不是已知分类（{', '.join(categories)}）")
        if isinstance(category, str) and code and CODE_SHAPE.match(code) \
                and code.split(".")[0] != category:
            problems.append(f"{where} 字段 code 的前缀应与 category 一致")
        similar = _string_list(raw.get("similar_questions"), where, "similar_questions", problems)
        keywords = _string_list(raw.get("keywords"), where, "keywords", problems)
        answer = raw.get("answer") if isinstance(raw.get("answer"), str) else ""
        bad = placeholders_in(answer) - ALLOWED_PLACEHOLDERS
        if bad:
            problems.append(f"{where} 字段 answer 含未知占位符 {', '.join(sorted(bad))}")
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where} 字段 enabled 应为 true 或 false")
        if len(problems) == before:
            entries.append(FaqEntry(code=code, category=category.strip(),
                                    question=raw["question"].strip(),
                                    similar_questions=similar, keywords=keywords,
                                    answer=answer.strip(), enabled=enabled))
    if problems:
        raise KnowledgeBaseError(problems)
    return entries


def load_knowledge_base(source: str | Path) -> KnowledgeBase:
    """From a path, or from YAML/JSON text (an import)."""
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and Path(source).exists()) else source
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError([f"文件不是有效的 YAML/JSON：{exc}"]) from exc
    if isinstance(data, list):
        data = {"entries": data}
    if not isinstance(data, dict) or "entries" not in data:
        raise KnowledgeBaseError(["文件应包含 entries 列表"])
    categories = data.get("categories")
    if categories is not None and not isinstance(categories, dict):
        raise KnowledgeBaseError(["categories 应为 分类代码: 名称 的映射"])
    return KnowledgeBase(categories=dict(categories or {}),
                         entries=validate_entries(data["entries"], categories))


def fill_placeholders(answer: str, values: Mapping[str, str]) -> str:
    def value_for(name: str) -> str:
        value = values.get(name)
        return str(value) if value not in (None, "") else PLACEHOLDER_FALLBACKS.get(name, "")

    try:
        pieces = []
        for literal, name, _spec, _conv in _FORMATTER.parse(answer):
            pieces.append(literal)
            if name is not None:
                pieces.append(value_for(name))
        return "".join(pieces)
    except ValueError:
        # Unbalanced braces slipped past validation: show the text rather than fail a reply.
        return answer
