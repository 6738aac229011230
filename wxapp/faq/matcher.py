"""From a resident's question to an answer, a few suggestions, or an honest "I don't know".

Confidence is the cosine similarity of the question to the best-matching phrasing of an
entry, lowered when the runner-up entry is almost as close (the question is ambiguous) and
when much of the question is not covered by the entry (it asks something else too).
"""
from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from wxapp.faq.entries import FaqEntry
from wxapp.faq.homophones import HomophoneCorrector
from wxapp.faq.index import FeatureIndex
from wxapp.faq.normalize import basic, question_form, synonym_table
from wxapp.faq.tokenizer import domain_terms, get_tokenizer

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def strip_placeholders(answer: str) -> str:
    return _PLACEHOLDER.sub(" ", answer)

SIMILARITY_SHARE = 0.5
ANSWER_THRESHOLD = 0.28
SUGGEST_THRESHOLD = 0.28
CLEAR_MARGIN = 0.05
NO_TOPIC_FACTOR = 0.6
TIE_PENALTY = 0.35
MAX_QUERY_CHARS = 60
_CLAUSE_END = re.compile(r"[，。！？；,.!?;\n]+")


def focus(text: str) -> list[str]:
    """Long messages are mostly the story; the question is nearly always the last clauses.
    Returns the readings worth matching: the last clause, the last two, the last ~60 chars."""
    if len(text) <= MAX_QUERY_CHARS:
        return [text]
    clauses = [c for c in _CLAUSE_END.split(text) if c.strip()]
    readings = [clauses[-1][-MAX_QUERY_CHARS:]] if clauses else []
    if len(clauses) >= 2:
        readings.append(("，".join(clauses[-2:]))[-MAX_QUERY_CHARS:])
    readings.append(text[-MAX_QUERY_CHARS:])
    return readings


@dataclass(frozen=True)
class Candidate:
    code: str
    question: str
    confidence: float


@dataclass
class MatchResult:
    outcome: str  # answered / suggested / not_answered
    confidence: float
    best: Candidate | None
    candidates: list[Candidate] = field(default_factory=list)


class FaqMatcher:
    def __init__(self, entries: list[FaqEntry], index: FeatureIndex,
                 answer_threshold: float, suggest_threshold: float):
        self.entries = entries
        self.index = index
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.exact: dict[str, int] = {}
        self.corrector = HomophoneCorrector((), ())

    @classmethod
    def build(cls, entries: Iterable[FaqEntry], answer_threshold: float = ANSWER_THRESHOLD,
              suggest_threshold: float = SUGGEST_THRESHOLD) -> FaqMatcher:
        entries = [e for e in entries if e.enabled]
        phrasings = []
        exact: dict[str, int] = {}
        for number, entry in enumerate(entries):
            for text in entry.texts():
                phrasings.append((number, text))
                exact.setdefault(basic(text).replace(" ", ""), number)
        answers = [strip_placeholders(e.answer) for e in entries]
        index = FeatureIndex(phrasings, answers)
        matcher = cls(entries, index, answer_threshold, suggest_threshold)
        matcher.exact = exact
        matcher.corrector = _corrector([text for _, text in phrasings] + answers)
        if len(entries) > 1000:
            # Building churns through many small objects; hand the memory back before serving.
            gc.collect()
        return matcher

    def ranked(self, text: str, top: int = 8) -> list[tuple[int, float]]:
        evidence = self.index.evidence(text)
        if evidence is None:
            return []
        similarity, coverage = evidence
        scores = SIMILARITY_SHARE * similarity + (1 - SIMILARITY_SHARE) * coverage
        best = np.argpartition(-scores, top)[:top] if len(scores) > top else np.arange(len(scores))
        ranked = sorted(((int(i), float(scores[i])) for i in best), key=lambda item: -item[1])
        return [(entry, score) for entry, score in ranked if score > 0]

    def match(self, text: str, limit: int = 3) -> MatchResult:
        results = []
        for reading in focus(question_form(text or "")):
            results.append(self._match_one(reading, limit))
            corrected = self.corrector.correct(reading)
            if corrected is not reading:
                results.append(self._match_one(corrected, limit))
        return max(results, key=lambda result: result.confidence)

    def _match_one(self, text: str, limit: int) -> MatchResult:
        plain = basic(text).replace(" ", "")
        if not plain:
            return MatchResult("not_answered", 0.0, None, [])
        if plain in self.exact:
            # Word for word one of the entry's phrasings (also "你好", which is all filler).
            entry = self.entries[self.exact[plain]]
            best = Candidate(entry.code, entry.question, 1.0)
            return MatchResult("answered", 1.0, best, [best])
        ranked = self.ranked(text)
        if not ranked:
            return MatchResult("not_answered", 0.0, None, [])
        top_score = ranked[0][1]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        margin = top_score - runner_up
        # A near tie means the question fits two entries: better to ask which one.
        confidence = top_score if margin >= CLEAR_MARGIN else top_score * (
            1 - TIE_PENALTY * (1 - margin / CLEAR_MARGIN))
        # A question that names none of the entry's topics (生育登记, 叶酸, 避孕套 …) and only
        # shares how/where/when words with it is more likely about something else.
        if not self.index.query_topics(text) & self.index.entry_topics[ranked[0][0]]:
            confidence *= NO_TOPIC_FACTOR
        confidence = max(0.0, min(1.0, confidence))
        candidates = [Candidate(self.entries[i].code, self.entries[i].question, round(s, 4))
                      for i, s in ranked[:limit] if s >= self.suggest_threshold * 0.8]
        best = candidates[0] if candidates else None
        if best is not None and confidence >= self.answer_threshold:
            return MatchResult("answered", confidence, best, candidates)
        if best is not None and top_score >= self.suggest_threshold:
            return MatchResult("suggested", confidence, best, candidates)
        return MatchResult("not_answered", confidence, None, candidates)

    def entry(self, code: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.code == code), None)


def _corrector(texts: list[str]) -> HomophoneCorrector:
    tokenizer = get_tokenizer()
    forms = {question_form(text) for text in texts}
    words = set(domain_terms())
    for variant, term in synonym_table():
        words.add(variant)
        words.update(term.split())
    for form in forms:
        words.update(word for word in tokenizer.lcut(form) if len(word) >= 2)
    return HomophoneCorrector(forms | words, words)
