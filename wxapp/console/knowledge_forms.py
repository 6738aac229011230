"""The knowledge-base entry form: from the browser's fields to the entry the FAQ service takes,
with each mistake in Chinese beside its field.

Similar questions arrive as the rows already on the page (``similar_questions``, each with a
"remove" box carrying its position) and blank rows for new ones (``new_similar``). Duplicates
and blanks are dropped, so a form sent twice with the same new question adds it once."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from wxapp.faq.entries import FaqEntry
from wxapp.faq.knowledge_base import CODE_SHAPE
from wxapp.services.faq import fact_guard

EDITABLE = ("category", "question", "similar_questions", "keywords", "answer", "enabled")
MAX_QUESTION = 200
MAX_KEYWORD = 32
MAX_ANSWER = 2000
MAX_ROWS = 200
NEW_ROWS = 3
_KEYWORD_SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass
class EntryForm:
    code: str
    data: dict  # EDITABLE fields, as the service takes them
    errors: dict[str, str] = field(default_factory=dict)
    version: str = ""
    confirmed: bool = False

    def as_faq_entry(self, fallback_code: str = "new.entry") -> FaqEntry:
        """The entry as the matcher would see it once saved (for trying it out)."""
        return FaqEntry(code=self.code or fallback_code,
                        category=self.data["category"] or "new",
                        question=self.data["question"] or self.data["answer"][:20],
                        similar_questions=tuple(self.data["similar_questions"]),
                        keywords=tuple(self.data["keywords"]), answer=self.data["answer"],
                        enabled=self.data["enabled"])


def version_of(entry_dict: dict) -> str:
    """A fingerprint of what staff edit; answering questions (the hit count) leaves it alone,
    so only another person's edit makes a form stale."""
    content = json.dumps({k: entry_dict[k] for k in EDITABLE}, ensure_ascii=False,
                         sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _unique(texts, exclude: str) -> list[str]:
    seen, out = {exclude}, []
    for text in texts:
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out


def parse_entry_form(form, categories: dict[str, str], code: str | None = None) -> EntryForm:
    """``code`` is the entry being edited; None reads it from the form (a new entry)."""
    errors: dict[str, str] = {}
    new = code is None
    code = _clean(form.get("code", ""))[:64].lower() if new else code
    category = form.get("category", "")
    question = _clean(form.get("question", ""))
    answer = (form.get("answer") or "").replace("\r\n", "\n").strip()

    if category not in categories:
        errors["category"] = "请从列表中选择分类。"
    if new:
        if not code:
            errors["code"] = "请填写编码，例如 service.parking。"
        elif not CODE_SHAPE.match(code):
            errors["code"] = ("编码形如“分类.名称”，只能用小写字母、数字和连字符，"
                              "例如 service.parking。")
        elif "category" not in errors and code.split(".")[0] != category:
            errors["code"] = f"编码的前缀应与所选分类一致，例如 {category}.{code.split('.')[-1]}。"
    if not question:
        errors["question"] = "请填写标准问题。"
    elif len(question) > MAX_QUESTION:
        errors["question"] = f"标准问题不能超过 {MAX_QUESTION} 字。"

    removed = {raw for raw in form.getlist("remove_similar")[:MAX_ROWS]}
    kept = [_clean(text) for position, text in
            enumerate(form.getlist("similar_questions")[:MAX_ROWS]) if str(position) not in removed]
    added = [_clean(text) for text in form.getlist("new_similar")[:MAX_ROWS]]
    similar = _unique(kept + added, exclude=question)
    too_long = next((s for s in similar if len(s) > MAX_QUESTION), None)
    if too_long:
        errors["similar_questions"] = f"相似问法“{too_long[:20]}…”超过 {MAX_QUESTION} 字。"

    keywords = _unique(_KEYWORD_SPLIT.split(form.get("keywords", "")[:2000]), exclude="")
    too_long = next((k for k in keywords if len(k) > MAX_KEYWORD), None)
    if too_long:
        errors["keywords"] = (f"关键词“{too_long[:20]}…”超过 {MAX_KEYWORD} 字；"
                              "多个关键词用顿号隔开。")

    if not answer:
        errors["answer"] = "请填写答案。"
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = f"答案不能超过 {MAX_ANSWER} 字（现在 {len(answer)} 字）。"
    else:
        problems = fact_guard.answer_problems(answer)
        if problems:
            errors["answer"] = problems[0]

    data = {"category": category, "question": question, "similar_questions": similar,
            "keywords": keywords, "answer": answer, "enabled": form.get("enabled") == "1"}
    return EntryForm(code=code, data=data, errors=errors, version=form.get("version", ""),
                     confirmed=form.get("confirm_facts") == "1")
