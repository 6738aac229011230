"""Text normalisation before segmentation: width, case, emoji and punctuation, and the
synonym table that maps residents' words onto the knowledge base's terms."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
# Anything that is not a CJK ideograph, a Latin letter or a digit separates words.
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def synonym_table() -> list[tuple[str, str]]:
    data = yaml.safe_load((DATA / "synonyms.yaml").read_text(encoding="utf-8")) or {}
    pairs = [(str(variant).lower(), str(canonical)) for canonical, variants in data.items()
             for variant in variants]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return pairs


@lru_cache(maxsize=1)
def _synonym_pattern() -> tuple[re.Pattern, dict[str, str]]:
    table = dict(synonym_table())
    pattern = re.compile("|".join(re.escape(v) for v, _ in synonym_table()))
    return pattern, table


def basic(text: str) -> str:
    """NFKC folds full-width letters and digits; emoji and punctuation become spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOT_WORD.sub(" ", text).strip()


def canonical(text: str) -> str:
    pattern, table = _synonym_pattern()
    return pattern.sub(lambda m: " " + table[m.group(0)] + " ", basic(text))
