"""One router for the commands residents type instead of questions (转人工, 我的进度, 预约,
领取, 谢谢, 你好), shared by the official account and the mini-program's question box.

The table lives in ``data/intents.yaml``; this module only decides whether a message IS one of
its phrases (after the same normalisation the matcher uses, so 轉人工 and ＰＲＯＧＲＥＳＳ-style
full-width input route alike). It never looks inside a longer question: "孕检预约了去不了怎么办"
is a question for the knowledge base, not the booking command.

A phrase typed in pinyin without picking the characters (zhuan rengong, wode jindu) is the
phrase too: every phrase of two or more characters is also listed by its toneless spelling,
unless two intents' phrases spell alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from wxapp.faq.homophones import char_pinyin
from wxapp.faq.normalize import DATA, basic, question_form, strip_fillers

_SPACE = re.compile(r"[\s，。！？!?,.~～、]+")
_HANZI = re.compile(r"[\u4e00-\u9fff]{2,}")
_PINYIN_KEY = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Intents:
    by_phrase: dict[str, str]
    entries: dict[str, str]
    before: tuple[str, ...]
    after: tuple[str, ...]
    by_spelling: dict[str, str]
    spelled_before: tuple[str, ...]
    spelled_after: tuple[str, ...]


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
    before, after = data["wrapping"]["before"], data["wrapping"]["after"]
    return Intents(by_phrase, entries, tuple(before), tuple(after), _by_spelling(by_phrase),
                   tuple(_spelling(word) for word in before),
                   tuple(_spelling(word) for word in after))


def _spelling(phrase: str) -> str:
    return "".join(char_pinyin(char) for char in phrase)


def _by_spelling(by_phrase: dict[str, str]) -> dict[str, str]:
    """The phrases of two or more characters by their toneless pinyin; a spelling two intents
    share says neither."""
    spelled: dict[str, set[str]] = {}
    for phrase, name in by_phrase.items():
        if _HANZI.fullmatch(phrase):
            spelled.setdefault(_spelling(phrase), set()).add(name)
    return {spelling: next(iter(names)) for spelling, names in spelled.items()
            if len(names) == 1 and spelling not in by_phrase}


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
            found = table.by_phrase.get(form) or _two_phrases(form, table)
            if found:
                return found
    if _PINYIN_KEY.fullmatch(raw):
        for form in _forms(raw.replace("'", ""), table, spelled=True):
            found = table.by_spelling.get(form)
            if found:
                return found
    return None


def _two_phrases(text: str, table: Intents) -> str | None:
    """The intent of a message that is two of its phrases one after the other (早上好在吗,
    好的谢谢啦, 转人工客服在吗): a greeting and a greeting is a greeting. The first may end
    in a wrapping word (你是男生还是女生啊你几岁)."""
    by_phrase = table.by_phrase
    for cut in range(1, len(text)):
        second = by_phrase.get(text[cut:])
        if second is None:
            continue
        first = text[:cut]
        if by_phrase.get(first) == second or any(
                first.endswith(word) and by_phrase.get(first[:-len(word)]) == second
                for word in table.after):
            return second
    return None


def _forms(candidate: str, table: Intents, spelled: bool = False) -> list[str]:
    """The message, said once and unwrapped one word at a time, fewest words taken first: a
    command typed twice (好的好的, 人工人工) is the command, and a wrapping word can be a
    phrase itself (谢谢了 is 谢谢 wrapped in 了, not two wrapping words and nothing)."""
    before, after = ((table.spelled_before, table.spelled_after) if spelled
                     else (table.before, table.after))
    forms = [candidate] + [unit for unit in _units(candidate) if unit != candidate]
    seen = set(forms)
    for form in forms:  # grows while it is read: breadth first
        for word in before:
            if form.startswith(word) and form[len(word):] not in seen:
                seen.add(form[len(word):])
                forms.append(form[len(word):])
        for word in after:
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
