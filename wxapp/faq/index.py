"""The FAQ index: words and character bigrams, weighted by how few entries use them.

Two kinds of evidence are kept per entry:

- phrasing similarity: the cosine between the question and each of the entry's phrasings
  (standard question, similar questions, keywords), best one counted;
- coverage: how much of the question's weight the entry's vocabulary explains at all, with
  words that only occur in the entry's answer counting half;
- BM25 with all of an entry's phrasings as one text, the textbook score, which hears the
  entry as a whole where the cosine hears its closest phrasing.

Words carry the meaning; bigrams (at a lower weight) catch typos and compounds segmented
differently. A word the knowledge base has never seen keeps a high weight, so a question
about the weather or a mortgage cannot look close just because it shares "怎么".

The postings are column-sliced sparse matrices in numpy arrays: scoring a question is a few
vectorised gathers and sums, so a 10,000-entry base answers in about a millisecond, where
Python lists of postings took hundreds.
"""
from __future__ import annotations

import math
from array import array
from collections import Counter
from functools import lru_cache

import numpy as np

from wxapp.faq.tokenizer import (
    char_bigrams,
    domain_terms,
    generic_terms,
    get_tokenizer,
    intent_words,
    other_errands,
    words,
)

BIGRAM_WEIGHT = 0.7
ANSWER_ONLY_CREDIT = 0.6
# The field's own terms (生育登记, 叶酸, 避孕套 …) say what a question is about; the rest
# (when, where, how much) only says what about it.
DOMAIN_TERM_BOOST = 2.2
UNSEEN_WEIGHT = 0.75
# An unseen word as common as 比较 (log-rarity 8.8) weighs a quarter; from 11 (上班, 咖啡) on, in
# full.
COMMON_RARITY = 8.0
RARITY_SPAN = 3.0
RARITY_FLOOR = 0.1
BM25_K1 = 1.2
BM25_B = 0.75


@lru_cache(maxsize=20000)
def general_rarity(word: str) -> float:
    """How much an unseen word says that a question is about something else, from how common
    it is in general Chinese (jieba's dictionary counts): 比较, 方式, 一种 say little, 咖啡 or
    宫外孕 a lot. The words this project gave the tokenizer (the field's terms, other offices'
    errands and health worries) count in full: their counts there are ours, not the language's."""
    if word in domain_terms() or word in other_errands():
        return 1.0
    tokenizer = get_tokenizer()
    rarity = math.log(tokenizer.total / (tokenizer.FREQ.get(word, 0) + 1))
    return min(1.0, max(RARITY_FLOOR, (rarity - COMMON_RARITY) / RARITY_SPAN))


def features(text: str) -> Counter:
    return features_of(words(text))


def features_of(tokens: list[str]) -> Counter:
    terms = domain_terms()
    found: Counter = Counter()
    for token in tokens:
        found["w:" + token] += DOMAIN_TERM_BOOST if token in terms else 1.0
    for bigram in char_bigrams(tokens):
        found["b:" + bigram] += BIGRAM_WEIGHT
    return found


def _tf(value: float) -> float:
    return 1 + math.log(value) if value >= 1 else value


class _Columns:
    """A sparse matrix stored by column (feature): rows and values of each feature."""

    def __init__(self, rows, cols, values, n_cols: int):
        """``rows``, ``cols``, ``values``: int32, int32 and float32 buffers of one length."""
        cols_np = np.frombuffer(cols, dtype=np.int32).astype(np.int64)
        order = np.argsort(cols_np, kind="stable")
        self.rows = np.frombuffer(rows, dtype=np.int32)[order]
        self.values = np.frombuffer(values, dtype=np.float32)[order]
        counts = np.bincount(cols_np, minlength=n_cols)
        self.starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    def weighted_sum(self, columns: list[int], weights: list[float], n_rows: int) -> np.ndarray:
        if not columns:
            return np.zeros(n_rows, dtype=np.float64)
        spans = [(self.starts[c], self.starts[c + 1]) for c in columns]
        rows = np.concatenate([self.rows[a:b] for a, b in spans])
        values = np.concatenate([self.values[a:b] * w
                                 for (a, b), w in zip(spans, weights, strict=True)])
        return np.bincount(rows, weights=values, minlength=n_rows)


class FeatureIndex:
    def __init__(self, phrasings: list[tuple[int, str]], answers: list[str],
                 attached: frozenset[int] = frozenset(), passing_words: bool = True):
        """``phrasings``: (entry number, text), grouped by entry in entry order, every entry
        with at least one; ``answers``: one per entry number; ``attached``: positions in
        ``phrasings`` of residents' questions staff attached (similar questions);
        ``passing_words``: read a word that only one attached question says as unseen (not
        for an index of questions each known for itself, data/not_ours.yaml's)."""
        self.entry_count = len(answers)
        self._parts: dict[str, tuple[str, str] | None] = {}
        self.feature_ids: dict[str, int] = {}
        # Texts repeat across entries; keep each as compact (feature id, tf) pairs.
        cache: dict[str, tuple[tuple[int, ...], tuple[float, ...], str]] = {}

        def encoded(text: str) -> tuple[tuple[int, ...], tuple[float, ...], str]:
            if text not in cache:
                tokens = words(text)
                feats = features_of(tokens)
                ids = tuple(self.feature_ids.setdefault(f, len(self.feature_ids)) for f in feats)
                cache[text] = (ids, tuple(feats.values()), "".join(tokens))
            return cache[text]

        phrasing_features = [(entry, encoded(text)) for entry, text in phrasings]
        # Each phrasing's content words, run together, as the build read them (segmenting
        # every phrasing again costs a large base's build seconds); the matcher takes them
        # once (take_content_keys).
        self._content_keys: list[str] | None = [key for _entry, (_ids, _tfs, key)
                                                 in phrasing_features]
        answer_ids = [set(encoded(answer)[0]) for answer in answers]
        entry_vocab: list[set[int]] = [set() for _ in answers]
        for entry, (ids, _tfs, _key) in phrasing_features:
            entry_vocab[entry].update(ids)
        entry_frequency = np.zeros(len(self.feature_ids), dtype=np.float64)
        for entry in range(self.entry_count):
            for feature_id in entry_vocab[entry] | answer_ids[entry]:
                entry_frequency[feature_id] += 1
        with np.errstate(divide="ignore"):
            self.idf = np.log1p(self.entry_count / np.maximum(entry_frequency, 1))
        # Words the base never uses still weigh in the question (less than its rarest word).
        self.unseen_idf = UNSEEN_WEIGHT * (math.log(1 + self.entry_count) + 1.0)
        n_features = len(self.feature_ids)

        # Compact typed arrays while building: a 10,000-entry base has over a million postings.
        rows, cols, values = array("i"), array("i"), array("f")
        doc_entry = array("i")
        for doc, (entry, (ids, tfs, _key)) in enumerate(phrasing_features):
            doc_entry.append(entry)
            weights = [_tf(tf) * self.idf[i] for i, tf in zip(ids, tfs, strict=False)]
            norm = math.sqrt(sum(w * w for w in weights)) or 1.0
            rows.extend([doc] * len(ids))
            cols.extend(ids)
            values.extend(w / norm for w in weights)
        self.doc_count = len(doc_entry)
        self.phrasings = _Columns(rows, cols, values, n_features)
        doc_entry_array = np.frombuffer(doc_entry, dtype=np.int32).astype(np.int64)
        if self.entry_count and (np.any(np.diff(doc_entry_array) < 0)
                                 or len(np.unique(doc_entry_array)) != self.entry_count):
            raise ValueError("phrasings must be grouped by entry, every entry with one")
        self.entry_first_doc = np.searchsorted(doc_entry_array, np.arange(self.entry_count))

        rows, cols, values = array("i"), array("i"), array("f")
        for entry in range(self.entry_count):
            for feature_id in entry_vocab[entry]:
                rows.append(entry)
                cols.append(feature_id)
                values.append(1.0)
            for feature_id in answer_ids[entry] - entry_vocab[entry]:
                rows.append(entry)
                cols.append(feature_id)
                values.append(ANSWER_ONLY_CREDIT)
        self.coverage = _Columns(rows, cols, values, n_features)
        self.bm25 = self._bm25(doc_entry_array, n_features)
        # Each entry's topic terms, its answer's included (the preparation entry speaks of the
        # ID cards to bring): a question naming another topic is not what the entry answers.
        terms = domain_terms() - generic_terms()
        topic_ids = {i for f, i in self.feature_ids.items() if f[2:] in terms and f[0] == "w"}
        self.entry_topics = [frozenset((vocab | said) & topic_ids)
                             for vocab, said in zip(entry_vocab, answer_ids, strict=True)]
        self._topic_ids = frozenset(topic_ids)
        # Other offices' business the base never speaks of (one it does speak of is ours).
        # What staff wrote says what the base is about; a resident's question attached to an
        # entry may mention 社保 in passing ("交了社保的，生孩子的钱能报吗").
        staff_said: set[int] = set().union(*answer_ids) if answer_ids else set()
        for position, (_entry, (ids, _tfs, _key)) in enumerate(phrasing_features):
            if position not in attached:
                staff_said.update(ids)
        self.other_errands = frozenset(
            word for word in other_errands()
            if self.feature_ids.get("w:" + word) not in staff_said)
        # A word one resident used once, in passing, in a question staff attached ("我不会骑
        # 电动车，避孕药可以送到我家吗"), says nothing of what the entry is about: it is read
        # as a word the base never uses, not as the strongest evidence for that entry.
        # One flag a feature (a set of a large base's ids would cost tens of megabytes).
        self.incidental = np.diff(self.phrasings.starts) == 1
        self.incidental[list(staff_said)] = False
        if not passing_words:
            self.incidental[:] = False
        aspects = intent_words()
        self.aspect_ids = frozenset(i for f, i in self.feature_ids.items()
                                    if f[0] == "w" and f[2:] in aspects)
        # What each entry's standard question asks about its topic (its first phrasing):
        # an entry about "when" is a neighbour, not the answer, to a question asking "where".
        self.entry_aspects: list[frozenset[int]] = [frozenset() for _ in answers]
        for entry, (ids, _tfs, _key) in phrasing_features:
            if not self.entry_aspects[entry]:
                self.entry_aspects[entry] = frozenset(ids) & self.aspect_ids or frozenset((-1,))
        self.entry_aspects = [a - {-1} for a in self.entry_aspects]
        # The topics an entry's standard question names: the supplies' privacy entry is about
        # pickups, so a question about privacy that never names them is the general entry's.
        self.entry_standard_topics: list[frozenset[int]] = [frozenset() for _ in answers]
        first_seen: set[int] = set()
        for entry, (ids, _tfs, _key) in phrasing_features:
            if entry not in first_seen:
                first_seen.add(entry)
                self.entry_standard_topics[entry] = frozenset(ids) & self._topic_ids

    def _bm25(self, doc_entry: np.ndarray, n_features: int) -> _Columns:
        """Okapi BM25 with each entry's phrasings as one document: the whole entry's say,
        where the cosine hears only its closest phrasing. Counted from the phrasings' own
        postings with numpy: per-entry dictionaries would leave a large base's worker with
        tens of MB the allocator never hands back."""
        columns = np.repeat(np.arange(n_features, dtype=np.int64), np.diff(self.phrasings.starts))
        entries = doc_entry[self.phrasings.rows]
        pairs, tf = np.unique(columns * max(self.entry_count, 1) + entries, return_counts=True)
        cols, rows = np.divmod(pairs, max(self.entry_count, 1))
        del columns, entries, pairs
        lengths = np.bincount(rows, weights=tf, minlength=self.entry_count)
        average = float(lengths.mean()) if self.entry_count else 1.0
        frequency = np.bincount(cols, minlength=n_features).astype(np.float64)
        idf = np.log1p((self.entry_count - frequency + 0.5) / (frequency + 0.5))
        scale = BM25_K1 * (1 - BM25_B + BM25_B * lengths[rows] / average)
        values = idf[cols] * tf * (BM25_K1 + 1) / (tf + scale)
        return _Columns(rows.astype(np.int32), cols.astype(np.int32), values.astype(np.float32),
                        n_features)

    def take_content_keys(self) -> list[str]:
        """Each phrasing's content words run together (``words``), in ``phrasings`` order;
        only once, so a built index holds no copy of its texts."""
        keys, self._content_keys = self._content_keys, None
        if keys is None:
            raise RuntimeError("the content keys were taken already")
        return keys

    def topic_words(self, text: str) -> list[str]:
        """The topics of the base ``text`` names, as words, in the order it names them."""
        terms = domain_terms() - generic_terms()
        return [f[2:] for f in features(text)
                if f[0] == "w" and f[2:] in terms and f in self.feature_ids]

    def query_features(self, text: str) -> Counter:
        """``features`` of a question, a compound word the base never uses read as the words
        it does use that make it up: 联系电话 is 联系 + 电话 to a base that says both."""
        found = features(text)
        for feature in [f for f in found if f[0] == "w" and f not in self.feature_ids]:
            parts = self._known_parts(feature[2:])
            if parts:
                weight = found.pop(feature)
                for part in parts:
                    found["w:" + part] += weight
        return found

    def _known_parts(self, word: str) -> tuple[str, str] | None:
        if word in self._parts:
            return self._parts[word]
        parts = None
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if "w:" + head in self.feature_ids and "w:" + tail in self.feature_ids:
                parts = (head, tail)
                break
        if len(self._parts) < 10000:
            self._parts[word] = parts
        return parts

    def evidence(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Per entry: (best phrasing cosine, share of the question's weight covered)."""
        known_ids, known_weights, unseen = [], [], []
        for feature, tf in self.query_features(text).items():
            feature_id = self.feature_ids.get(feature)
            if feature_id is None or self.incidental[feature_id]:
                unseen.append(_tf(tf) * self.unseen_idf)
            else:
                known_ids.append(feature_id)
                known_weights.append(_tf(tf) * float(self.idf[feature_id]))
        all_weights = known_weights + unseen
        norm = math.sqrt(sum(w * w for w in all_weights))
        if not norm or not self.entry_count:
            return None
        dots = self.phrasings.weighted_sum(known_ids, known_weights, self.doc_count)
        similarity = np.maximum.reduceat(dots, self.entry_first_doc) / norm
        covered = self.coverage.weighted_sum(known_ids, known_weights, self.entry_count)
        return similarity, covered / sum(all_weights)

    def names_other_errand(self, text: str) -> bool:
        """Whether ``text`` names another office's errand or a health worry the base holds no
        answer to."""
        return any(feature[0] == "w" and feature[2:] in self.other_errands
                   for feature in self.query_features(text))

    def evidence_detail(self, text: str) -> dict | None:
        """``evidence`` and what a calibrated confidence needs besides: per entry the share of
        the question's aspect words (when, where, how much …) the entry uses, and the share of
        the question's weight that the knowledge base has never seen at all."""
        known_ids, known_weights, unseen = [], [], []
        aspect_ids, aspect_weights = [], []
        word_ids, word_weights, unseen_words = [], [], 0.0
        known_tfs: list[float] = []
        other_errand = False
        for feature, tf in self.query_features(text).items():
            # Named in an attached question or not, another office's errand is not ours.
            other_errand = other_errand or (feature[0] == "w"
                                            and feature[2:] in self.other_errands)
            feature_id = self.feature_ids.get(feature)
            if feature_id is None or self.incidental[feature_id]:
                weight = _tf(tf) * self.unseen_idf
                if feature[0] == "w":
                    weight *= general_rarity(feature[2:])
                    unseen_words += weight
                unseen.append(weight)
                continue
            weight = _tf(tf) * float(self.idf[feature_id])
            known_ids.append(feature_id)
            known_weights.append(weight)
            known_tfs.append(_tf(tf))
            if feature[0] == "w":
                word_ids.append(feature_id)
                word_weights.append(weight)
            if feature_id in self.aspect_ids:
                aspect_ids.append(feature_id)
                aspect_weights.append(weight)
        all_weights = known_weights + unseen
        norm = math.sqrt(sum(w * w for w in all_weights))
        if not norm or not self.entry_count:
            return None
        dots = self.phrasings.weighted_sum(known_ids, known_weights, self.doc_count)
        total = sum(all_weights)
        detail = {
            "similarity": np.maximum.reduceat(dots, self.entry_first_doc) / norm,
            "standard": dots[self.entry_first_doc] / norm,
            "coverage": self.coverage.weighted_sum(known_ids, known_weights,
                                                   self.entry_count) / total,
            "unseen": sum(unseen) / total,
            "topics": frozenset(i for i in known_ids if i in self._topic_ids),
            "has_aspect": bool(aspect_ids),
            "aspects": frozenset(aspect_ids),
            "other_errand": other_errand,
        }
        # The same on whole words only: bigrams of an unknown word often exist elsewhere.
        word_total = sum(word_weights) + unseen_words
        detail["word_coverage"] = (
            self.coverage.weighted_sum(word_ids, word_weights, self.entry_count) / word_total
            if word_total else np.zeros(self.entry_count))
        detail["unseen_words"] = unseen_words / word_total if word_total else 0.0
        bm25 = self.bm25.weighted_sum(known_ids, known_tfs, self.entry_count)
        best = float(bm25.max()) if self.entry_count else 0.0
        detail["bm25"] = bm25 / best if best > 0 else bm25
        if aspect_ids:
            detail["aspect"] = self.coverage.weighted_sum(
                aspect_ids, aspect_weights, self.entry_count) / sum(aspect_weights)
        return detail
