"""The FAQ index: words and character bigrams, weighted by how few entries use them.

Two kinds of evidence are kept per entry:

- phrasing similarity: the cosine between the question and each of the entry's phrasings
  (standard question, similar questions, keywords), best one counted;
- coverage: how much of the question's weight the entry's vocabulary explains at all, with
  words that only occur in the entry's answer counting half.

Words carry the meaning; bigrams (at a lower weight) catch typos and compounds segmented
differently. A word the knowledge base has never seen keeps a high weight, so a question
about the weather or a mortgage cannot look close just because it shares "怎么".
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from wxapp.faq.tokenizer import char_bigrams, domain_terms, words

BIGRAM_WEIGHT = 0.7
ANSWER_ONLY_CREDIT = 0.6
# The field's own terms (生育登记, 叶酸, 避孕套 …) say what a question is about; the rest
# (when, where, how much) only says what about it.
DOMAIN_TERM_BOOST = 2.2


def features(text: str) -> Counter:
    tokens = words(text)
    terms = domain_terms()
    found: Counter = Counter()
    for token in tokens:
        found["w:" + token] += DOMAIN_TERM_BOOST if token in terms else 1.0
    for bigram in char_bigrams(tokens):
        found["b:" + bigram] += BIGRAM_WEIGHT
    return found


def _tf(value: float) -> float:
    return 1 + math.log(value) if value >= 1 else value


@dataclass(frozen=True)
class EntryEvidence:
    entry: int
    similarity: float
    coverage: float


class FeatureIndex:
    def __init__(self, phrasings: list[tuple[int, str]], answers: list[str]):
        """``phrasings``: (entry number, text); ``answers``: one per entry number."""
        self.entry_count = len(answers)
        phrasing_features = [(entry, features(text)) for entry, text in phrasings]
        answer_features = [features(answer) for answer in answers]

        entry_vocab: list[set[str]] = [set() for _ in answers]
        for entry, feats in phrasing_features:
            entry_vocab[entry].update(feats)
        entry_frequency: Counter = Counter()
        for entry in range(self.entry_count):
            entry_frequency.update(entry_vocab[entry] | set(answer_features[entry]))
        self.idf = {f: math.log(1 + self.entry_count / n) for f, n in entry_frequency.items()}
        self.unseen_idf = math.log(1 + self.entry_count) + 1.0

        self.phrasing_entry: list[int] = []
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, (entry, feats) in enumerate(phrasing_features):
            self.phrasing_entry.append(entry)
            weights = {f: _tf(tf) * self.idf[f] for f, tf in feats.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for f, w in weights.items():
                self.postings[f].append((doc, w / norm))

        self.coverage_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for entry in range(self.entry_count):
            for f in entry_vocab[entry]:
                self.coverage_postings[f].append((entry, 1.0))
            for f in set(answer_features[entry]) - entry_vocab[entry]:
                self.coverage_postings[f].append((entry, ANSWER_ONLY_CREDIT))

    def query_vector(self, text: str) -> dict[str, float]:
        return {f: _tf(tf) * self.idf.get(f, self.unseen_idf)
                for f, tf in features(text).items()}

    def evidence(self, text: str) -> list[EntryEvidence]:
        vector = self.query_vector(text)
        norm = math.sqrt(sum(w * w for w in vector.values()))
        total = sum(vector.values())
        if not norm:
            return []
        dots: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        for feature, weight in vector.items():
            for doc, doc_weight in self.postings.get(feature, ()):
                dots[doc] += weight * doc_weight
            for entry, credit in self.coverage_postings.get(feature, ()):
                covered[entry] += weight * credit
        similarity: dict[int, float] = {}
        for doc, dot in dots.items():
            entry = self.phrasing_entry[doc]
            similarity[entry] = max(similarity.get(entry, 0.0), dot / norm)
        entries = set(similarity) | set(covered)
        return [EntryEvidence(e, similarity.get(e, 0.0), covered.get(e, 0.0) / total)
                for e in entries]
