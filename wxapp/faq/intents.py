"""One router for the commands residents type instead of questions (转人工, 我的进度, 预约,
领取, 谢谢, 你好), shared by the official account and the mini-program's question box.

The table lives in ``data/intents.yaml``; this module only decides whether a message IS one of
its phrases (after the same normalisation the matcher uses, so 轉人工 and ＰＲＯＧＲＥＳＳ-style
full-width input route alike). It never looks inside a longer question: "孕检预约了去不了怎么办"
is a question for the knowledge base, not the booking command.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from wxapp.faq.normalize import DATA, basic, question_form, strip_fillers

_SPACE = re.compile(r"[\s，。！？!?,.~～、]+")


@dataclass(frozen=True)
class Intents:
    by_phrase: dict[str, str]
    entries: dict[str, str]
    before: tuple[str, ...]
    after: tuple[str, ...]


@lru_cache(maxsize=1)
def intents() -> Intents:
    data = yaml.safe_load((DATA / "intents.yaml").read_text(encoding="utf-8"))
    by_phrase: dict[str, str] = {}
    entries: dict[str, str] = {}
    for name, spec in data["intents"].items():
        if spec.get("entry"):
            entries[name] = spec["entry"]
        for phrase in spec["phrases"]:
            phrase = str(phrase)
            for key in {_raw_key(phrase), _key(phrase)} - {""}:
                if by_phrase.setdefault(key, name) != name:
                    raise ValueError(f"intent phrase {phrase!r} is listed twice")
    return Intents(by_phrase, entries, tuple(data["wrapping"]["before"]),
                   tuple(data["wrapping"]["after"]))


def _raw_key(text: str) -> str:
    # Emoji and WeChat emoticons ([抱拳]) say "thanks" too, and normalisation drops them.
    return _SPACE.sub("", (text or "").lower())


def _key(text: str) -> str:
    return basic(text).replace(" ", "")


def route(text: str) -> str | None:
    """The intent a message is, or None when it is a question (or nothing)."""
    table = intents()
    raw = _raw_key(text)
    if not raw or len(raw) > 30:
        return None
    found = table.by_phrase.get(raw)
    if found:
        return found
    key = _key(text)
    # Read as the matcher reads it too: 侬是真人伐 and 冇用 are the phrases 你是真人吗, 没有用.
    for candidate in (key, strip_fillers(basic(text)).replace(" ", ""),
                      question_form(text).replace(" ", "")):
        for form in _forms(candidate, table):
            found = table.by_phrase.get(form)
            if found:
                return found
    return None


def _forms(candidate: str, table: Intents) -> list[str]:
    """The message, said once and unwrapped one word at a time, fewest words taken first: a
    command typed twice (好的好的, 人工人工) is the command, and a wrapping word can be a
    phrase itself (谢谢了 is 谢谢 wrapped in 了, not two wrapping words and nothing)."""
    forms = [candidate] + [unit for unit in _units(candidate) if unit != candidate]
    seen = set(forms)
    for form in forms:  # grows while it is read: breadth first
        for word in table.before:
            if form.startswith(word) and form[len(word):] not in seen:
                seen.add(form[len(word):])
                forms.append(form[len(word):])
        for word in table.after:
            if form.endswith(word) and form[:-len(word)] not in seen:
                seen.add(form[:-len(word)])
                forms.append(form[:-len(word)])
    return [form for form in forms if form]


def _units(text: str) -> list[str]:
    """Every piece ``text`` is a repetition of, longest first (谢谢谢谢: 谢谢, 谢)."""
    n = len(text)
    return [text[:size] for size in range(n // 2, 0, -1)
            if n % size == 0 and text[:size] * (n // size) == text]


def entry_for(intent: str) -> str | None:
    """The knowledge-base entry that explains what the intent does."""
    return intents().entries.get(intent)
