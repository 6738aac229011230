"""Text normalisation before segmentation: what residents type is folded onto one written form
before anything is matched.

- width and case (NFKC: full-width letters and digits become ASCII), traditional characters
  to simplified (OpenCC's t2s: relatives abroad and older phones write 避孕藥具),
- emoji that stand for a word (🤰, 💊, 💰, data/emoji.yaml) become that word; other emoji,
  WeChat emoticons and punctuation become spaces,
- regional written forms (喺边度攞 → 在哪里拿, data/regional.yaml) read as Mandarin,
- fillers of spoken and polite Chinese (嗯、那个、就是说、我想问一下、麻烦问下) are dropped, so
  that a rambling voice message keeps only what it asks,
- the synonym table maps residents' words onto the knowledge base's terms.

Invariant: ``question_form`` never raises and is idempotent (``question_form(question_form(x))
== question_form(x)``), so a text can be normalised at any layer without changing its match.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

DATA = Path(__file__).resolve().parent / "data"
# Anything that is not a CJK ideograph, a Latin letter or a digit separates words.
# Chinese characters of every block: OpenCC writes Cantonese 嗰 as 𠮶 (Extension B).
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]+")
# WeChat renders its own emoticons as "[微笑]" in the text it pushes: they are not words.
_EMOTICON = re.compile(r"\[[^\[\]\s]{1,6}\]")
# What dresses an emoji without changing it: variation selectors, skin tones.
_EMOJI_DRESS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
# Emoji joined by U+200D into one picture (a family, a health worker) are not the words of
# their parts.
_EMOJI_JOINED = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff]"
                           "(?:\u200d[\u2600-\u27bf\U0001f000-\U0001faff])+")
# A JSON body may carry a lone surrogate ("\ud800"): not text, and OpenCC cannot encode it.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Spoken words that only stand for a written one, read as it before the synonym table, so
# that every phrase it lists with 什么 / 怎么 is heard with 啥 / 咋 too (有啥用, 啥时候, 咋用).
_SPOKEN = str.maketrans({"啥": "什么", "咋": "怎么"})
_converter_lock = threading.Lock()
_converter: opencc.OpenCC | None = None
# Folding can expose a new filler (那那个个 → 那个) or a new traditional phrase; a few passes
# reach the fixed point that idempotence needs.
_MAX_PASSES = 4


def _t2s() -> opencc.OpenCC:
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                _converter = opencc.OpenCC("t2s.json")
    return _converter


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else text


@lru_cache(maxsize=1)
def synonym_table() -> list[tuple[str, str]]:
    data = yaml.safe_load((DATA / "synonyms.yaml").read_text(encoding="utf-8")) or {}
    pairs = [(str(variant).lower().translate(_SPOKEN), str(canonical))
             for canonical, variants in data.items() for variant in variants]
    pairs = list(dict(pairs).items())
    pairs.sort(key=lambda pair: -len(pair[0]))
    return pairs


@lru_cache(maxsize=1)
def _synonym_pattern() -> tuple[re.Pattern, dict[str, str]]:
    table = dict(synonym_table())
    pattern = re.compile("|".join(re.escape(v) for v, _ in synonym_table()))
    return pattern, table


@lru_cache(maxsize=1)
def _emoji_words() -> tuple[re.Pattern, dict[str, str]]:
    data = yaml.safe_load((DATA / "emoji.yaml").read_text(encoding="utf-8")) or {}
    table = {_EMOJI_DRESS.sub("", str(emoji)): str(word)
             for word, emojis in data.items() for emoji in emojis}
    return re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True)))), table


def _read_emoji(text: str) -> str:
    if text.isascii():
        return text
    pattern, table = _emoji_words()
    text = _EMOJI_JOINED.sub(" ", _EMOJI_DRESS.sub("", text))
    return pattern.sub(lambda match: " " + table[match.group(0)] + " ", text)


@lru_cache(maxsize=1)
def fillers() -> tuple[str, ...]:
    lines = (DATA / "fillers.txt").read_text(encoding="utf-8").splitlines()
    words = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _filler_pattern() -> re.Pattern:
    return re.compile("|".join(re.escape(word) for word in fillers()))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", _SURROGATE.sub(" ", text)).lower()
    text = to_simplified(_read_emoji(_EMOTICON.sub(" ", text)))
    return _SPACED_OUT.sub(_join_spaced, " ".join(_NOT_WORD.sub(" ", text).split()))


# Characters typed one at a time with a space after each ("生 育 登 记 手 机 上 能 弄 吗"),
# as older residents write on paper: two or more single characters in a row are one run of
# text. Read as typed, every character was a word and 生育登记 was never seen.
_SPACED_OUT = re.compile(r"(?<![\u3400-\u4dbf\u4e00-\u9fff])[\u3400-\u4dbf\u4e00-\u9fff]"
                         r"(?: [\u3400-\u4dbf\u4e00-\u9fff](?![\u3400-\u4dbf\u4e00-\u9fff]))+"
                         r"(?![\u3400-\u4dbf\u4e00-\u9fff])")


def _join_spaced(match: re.Match) -> str:
    return match.group(0).replace(" ", "")


@lru_cache(maxsize=8192)
def basic(text: str) -> str:
    """Width, case, traditional characters, emoji and punctuation folded; words kept as typed.
    For matching names and exact phrasings, where a filler may be part of what was meant."""
    text = text or ""
    for _ in range(_MAX_PASSES):
        folded = _fold(text)
        if folded == text:
            break
        text = folded
    return text


# Particles that end a question as 吗 does, and mean something else inside one: Cantonese
# 咩 ("要返乡下登记咩"; 系咩 is 是什么), Wu 伐 ("好网上办伐"), Minnan 无 ("会使改无"; 无法 stays).
_ASKING_AT_THE_END = frozenset({"咩", "伐", "无"})


@lru_cache(maxsize=1)
def _regional_pattern() -> tuple[re.Pattern, dict[str, str]]:
    data = yaml.safe_load((DATA / "regional.yaml").read_text(encoding="utf-8")) or {}
    # Read after ``basic``, so each form as basic writes it (嗰 becomes 𠮶 there).
    table = {to_simplified(str(form).lower()): str(mandarin)
             for mandarin, forms in data.items() for form in forms}
    table.update({form: form for form in _ASKING_AT_THE_END if form not in table})
    pattern = re.compile("|".join(re.escape(form)
                                  for form in sorted(table, key=len, reverse=True)))
    return pattern, table


def regional(text: str) -> str:
    """Regional written forms (Cantonese 喺, 睇, 冇 …) as Mandarin."""
    pattern, table = _regional_pattern()

    def read(match: re.Match) -> str:
        form = match.group(0)
        if form in _ASKING_AT_THE_END and text[match.end():match.end() + 1] in ("", " "):
            return "吗"
        return table[form]

    return pattern.sub(read, text)


def strip_fillers(text: str, keep_all_filler: bool = True) -> str:
    """Drop spoken fillers; a message that is nothing but fillers (嗯嗯) is kept as it is,
    unless ``keep_all_filler`` is false (then it is empty)."""
    stripped = " ".join(_filler_pattern().sub(" ", text).split())
    return stripped or (text if keep_all_filler else "")


@lru_cache(maxsize=8192)
def question_form(text: str) -> str:
    """What the matcher reads: ``basic``, regional forms as Mandarin, then without fillers."""
    text = basic(text)
    for _ in range(_MAX_PASSES):
        folded = basic(strip_fillers(regional(text)))
        if folded == text:
            break
        text = folded
    return text


def canonical(text: str) -> str:
    pattern, table = _synonym_pattern()
    return pattern.sub(lambda m: " " + table[m.group(0)] + " ",
                       question_form(text).translate(_SPOKEN))
