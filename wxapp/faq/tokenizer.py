"""Chinese segmentation with jieba and this field's dictionary.

jieba's dictionary takes a while to load, so one tokenizer is built per process, lazily, and
shared; ``warm_up`` lets a worker pay that cost at start instead of on the first question.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

import jieba

from wxapp.faq.normalize import DATA, canonical, synonym_table

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _build() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(DATA / "dictionary.txt"))
    for _variant, term in synonym_table():
        for word in term.split():
            tokenizer.add_word(word, freq=50000)
    # Whole, so that 出生证明 is not read as its parts (and 证明 as our 登记凭证's word).
    for word in other_errands():
        tokenizer.add_word(word, freq=50000)
    tokenizer.initialize()
    return tokenizer


def get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


def warm_up() -> None:
    get_tokenizer().lcut("生育登记")
    # OpenCC's dictionaries and pypinyin's tables load on first use too.
    from wxapp.faq.homophones import char_pinyin

    canonical("生育登記")
    char_pinyin("登")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = Path(DATA / "stopwords.txt").read_text(encoding="utf-8").split()
    return frozenset(line.strip() for line in lines if line.strip())


QUESTION_PARTICLES = frozenset({"不", "不咯", "不啦"})


# A question is segmented several times while it is matched, the same text each time (its
# content reading, each reading's features, the topics it names): a few hundred recent texts
# cover every thread's question in flight. Segmentation reads only files shipped with the code.
RECENT_TEXTS = 256


def words(text: str) -> list[str]:
    """Content words of ``text`` after synonyms, without fillers."""
    return list(_words(text))


@lru_cache(maxsize=RECENT_TEXTS)
def _words(text: str) -> tuple[str, ...]:
    stop = stopwords()
    out = []
    for chunk in canonical(text).split():
        for word in get_tokenizer().lcut(chunk, HMM=False):
            word = word.strip()
            if word and word not in stop:
                out.append(word)
    if len(out) >= 2 and out[-1] in QUESTION_PARTICLES:
        # Spoken and northern Chinese ask with a final 不 (能登记不 = 能登记吗): a
        # particle there, not a negation of anything.
        out.pop()
    return tuple(out)


def plausibility(run: str) -> float:
    """How likely ``run`` (Chinese characters) is as written: the log-probability of its best
    segmentation under jieba's word frequencies (the field's words included), the figure
    jieba itself segments by. 现在在这 beats 现崽崽这 by dozens; 登纪 loses to 登记 as much."""
    if not run:
        return 0.0
    tokenizer = get_tokenizer()
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(run, tokenizer.get_DAG(run), route)
    return route[0][0]


def char_bigrams(tokens: list[str]) -> list[str]:
    """Bigrams within and across adjacent content words: they survive typos and unseen
    compounds that segmentation splits differently."""
    joined = "".join(tokens)
    if len(joined) == 1:
        return [joined]
    return [joined[i:i + 2] for i in range(len(joined) - 1)]


@lru_cache(maxsize=1)
def domain_terms() -> frozenset[str]:
    from_dictionary = {line.split()[0] for line in
                       (DATA / "dictionary.txt").read_text(encoding="utf-8").splitlines()
                       if line.strip()}
    from_synonyms = {word for _variant, term in synonym_table() for word in term.split()}
    return frozenset((from_dictionary | from_synonyms) - intent_words())


@lru_cache(maxsize=1)
def intent_words() -> frozenset[str]:
    lines = (DATA / "intent_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    lines = (DATA / "generic_terms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def other_errands() -> frozenset[str]:
    lines = (DATA / "other_errands.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
