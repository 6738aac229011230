"""From a resident's question to an answer, a few suggestions, or an honest "I don't know".

A message is read whole and, when it tells a story, clause by clause (and after 想问), each
reading also through the homophone correction; the reading the model rates best is kept.
The index scores every entry (phrasing similarity, coverage, BM25 over the entry as one
text); the best few are re-ranked by a small logistic model over what tells a right answer
from a neighbour's (does the entry say the question's aspect — free? where? how long? —,
does its standard question ask another one, does it name the question's topic, explain all
of it, lead the others …). A second logistic model, fitted on the first-ranked rows alone,
gives the confidence: the probability that the first entry is the right one. The thresholds
between answering, suggesting and admitting ignorance are fitted on labelled residents'
questions (scripts/fit_faq_thresholds.py → data/thresholds.yaml), not set by hand.
Entries that give health advice (data/medical_entries.txt) are given as the answer only to a
question that names no topic they never mention and whose words are all known to the base or
mostly explained by the entry (a fitted floor): a medical question the base has no entry for
is suggested or handed over, never answered with a neighbouring entry's advice. So is a
question most of whose weight the base never uses (a fitted ceiling): sharing one word with
an entry does not make it that entry's question. A question that reads like one residents
took to another office or a doctor (data/not_ours.yaml, indexed apart and never offered)
is doubted by the confidence model however many words it shares with an entry.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from wxapp.faq.entries import FaqEntry
from wxapp.faq.homophones import HomophoneCorrector
from wxapp.faq.index import FeatureIndex
from wxapp.faq.normalize import (
    DATA,
    basic,
    fillers,
    question_form,
    strip_fillers,
    synonym_table,
)
from wxapp.faq.pinyin_input import PinyinReader
from wxapp.faq.tokenizer import domain_terms, get_tokenizer, plausibility, words

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def strip_placeholders(answer: str) -> str:
    return _PLACEHOLDER.sub(" ", answer)

SIMILARITY_SHARE = 0.5
MAX_QUERY_CHARS = 60
# How many of the best-scored entries the calibrated model weighs against each other.
RERANK_DEPTH = 6
# Clause ends, and the words after which a resident says what she asks.
_CLAUSES = re.compile(r"[，。！？；,.!?;\n]+|(?:就是)?我?想(?:问|咨询)(?:一下|下|问)?|"
                      r"(?:麻烦|请)问(?:一下|下)?")
# Clauses read on their own, from the end: the question is nearly always among the last.
MAX_CLAUSES = 4
CALIBRATION_FILE = DATA / "thresholds.yaml"
NOT_OURS_FILE = DATA / "not_ours.yaml"
# What the calibrated model looks at for one (question, entry) pair; thresholds.yaml holds a
# weight for each, fitted by scripts/fit_faq_thresholds.py.
FEATURES = (
    "similarity",        # cosine to the entry's closest phrasing
    "coverage",          # share of the question's weight the entry's words explain
    "gap",               # this entry's score minus the best entry's (0 for the best)
    "topic",             # the question names one of the entry's topics (生育登记, 叶酸 …)
    "no_topic",          # the question names no topic of the knowledge base at all
    "unseen",            # share of the question's weight the knowledge base never uses
    "aspect_miss",       # share of the question's aspect words (多久, 哪里, 费用 …) it lacks
    "medical_uncovered",  # a health-advice entry that leaves part of the question unexplained
    "corrected",         # read through a homophone correction
    "word_coverage",     # as coverage, on whole words only
    "unseen_words",      # share of the question's words the knowledge base never uses
    "foreign_topic",     # the question names a topic the entry never mentions
    "lead",              # this entry's score minus the best other entry's
    "bm25",              # BM25 over the entry's phrasings as one text, over the best entry's
    "category_share",    # share of the weighed entries' score held by this entry's category
    "left_out",          # share of the message the reading leaves out (a clause of a story)
    "other_aspect",      # the entry's standard question asks another aspect than the question
    "standard",          # cosine to the entry's standard question, what the entry is about
    "unnamed_topic",     # the entry's standard question names topics, the question none of them
    "other_errand",      # the question names another office's errand or a health worry
    "length",            # how long the message is (a story, not a question, at 60 characters)
    "unseen_in_length",  # unseen_words × length: a long story's unknown words say less
    "foreign_category",  # the question names a topic no entry of this entry's category mentions
    # Of the whole message, not of the reading the row is from (a row of one reading has
    # every feature before these):
    "message_errand",    # the message names another office's errand or a health worry
    "agreement",         # share of the message's readings whose best entry this is
    "not_ours",          # cosine to the closest question known to be another office's
)
# The confidence model also hears the ranker's verdict: how high it rates the first entry,
# and by how much it prefers it to the second (a neighbour close behind is a coin toss).
CONFIDENCE_FEATURES = (
    *FEATURES,
    "rank_score",        # the ranker's logit for the first entry
    "rank_margin",       # its lead over the second (capped; alone: none) × its probability
)
RANK_MARGIN_CAP = 2.0
# A reading's row holds every feature before the message's own, which come last: agreement
# needs all the readings' verdicts.
READING_WIDTH = FEATURES.index("message_errand")
FOREIGN_TOPIC = FEATURES.index("foreign_topic")
OTHER_ERRAND = FEATURES.index("other_errand")
MESSAGE_ERRAND = FEATURES.index("message_errand")
UNSEEN = FEATURES.index("unseen")
WORD_COVERAGE = FEATURES.index("word_coverage")
UNSEEN_WORDS = FEATURES.index("unseen_words")


def advice_coverage(row: np.ndarray) -> float:
    """How much of a question a health-advice entry, of feature row ``row``, explains: none
    when the question names a topic the entry never mentions, or a health worry (宫外孕) or
    errand the base holds no answer to; all when every word of it is one the knowledge base
    uses (nothing it asks lies outside what the base speaks of); otherwise the share of the
    question's words the entry uses."""
    if row[FOREIGN_TOPIC] or row[OTHER_ERRAND] or row[MESSAGE_ERRAND]:
        return 0.0
    if not row[UNSEEN_WORDS]:
        return 1.0
    return float(row[WORD_COVERAGE])


@dataclass(frozen=True)
class Calibration:
    answer_threshold: float
    suggest_threshold: float
    bias: float
    weights: tuple[float, ...]
    # A health-advice entry answers only a question whose words it explains at least this
    # much; below, it is a suggestion whatever the confidence.
    medical_min_coverage: float = 0.0
    # The second model: over the best-ranked entry's row only, the probability that it is
    # the answer. Ranking asks "which of these?", answering asks "is the first one right?";
    # one model fitted on every row serves the first question and blurs the second.
    confidence_bias: float = 0.0
    confidence_weights: tuple[float, ...] | None = None
    # A question this much of whose weight the knowledge base never uses ("卫健办门口能停电动
    # 车吗": only 卫健办 is ours) is at most suggested: whatever entry shares its one known
    # word, the question is about something else.
    max_unseen: float = 1.0


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The fitted model and thresholds, read once at start; a missing weight is a fitting
    that predates a feature, and is refused rather than guessed."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    model, confidence = data["model"], data["confidence"]
    for part, names in ((model, FEATURES), (confidence, CONFIDENCE_FEATURES)):
        missing = set(names) - set(part["weights"])
        if missing:
            raise ValueError(f"{path}: no fitted weight for {sorted(missing)}; re-run the fit")
    return Calibration(float(data["answer_threshold"]), float(data["suggest_threshold"]),
                       float(model["bias"]), tuple(float(model["weights"][f]) for f in FEATURES),
                       float(data["medical_min_coverage"]), float(confidence["bias"]),
                       tuple(float(confidence["weights"][f]) for f in CONFIDENCE_FEATURES),
                       float(data.get("max_unseen", 1.0)))


@lru_cache(maxsize=1)
def not_ours_examples() -> tuple[str, ...]:
    """Residents' questions that are another office's business or a doctor's
    (data/not_ours.yaml)."""
    data = yaml.safe_load(NOT_OURS_FILE.read_text(encoding="utf-8")) or {}
    return tuple(str(q) for q in data.get("questions") or ())


@lru_cache(maxsize=1)
def medical_entries() -> frozenset[str]:
    lines = (DATA / "medical_entries.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def focus(text: str) -> list[tuple[str, float]]:
    """The readings of a message worth matching, each with the share of the message it
    leaves out. A spoken message tells a story around its question ("我们在外面打工，户口在
    老家，就是想问登记在哪儿办"): each of its last clauses, and what follows "想问", is read
    on its own as well as the whole (its last ~60 characters when long); the matcher keeps
    the reading whose best entry its model rates highest, and the share left out is one of
    the model's features."""
    text = text.strip()
    whole = text[-MAX_QUERY_CHARS:]
    readings = [whole]
    clauses = [c.strip() for c in _CLAUSES.split(whole) if len(c.strip()) >= 2][-MAX_CLAUSES:]
    if len(clauses) >= 2:
        readings += clauses
        readings += ["，".join(clauses[i:i + 2]) for i in range(len(clauses) - 1)]
    length = len(whole) or 1
    seen: set[str] = set()
    out = []
    for reading in readings:
        if reading not in seen:
            seen.add(reading)
            out.append((reading, 1.0 - min(1.0, len(reading) / length)))
    return out


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
    def __init__(self, entries: list[FaqEntry], index: FeatureIndex, calibration: Calibration):
        self.entries = entries
        self.index = index
        self.use(calibration)
        self.exact: dict[str, int] = {}
        self.exact_content: dict[str, int] = {}
        self.corrector = HomophoneCorrector((), ())
        self.pinyin = PinyinReader({}, ())
        self.not_ours: FeatureIndex | None = None
        self.not_ours_questions: tuple[str, ...] = ()
        medical = medical_entries()
        self.medical = np.array([e.code in medical for e in entries], dtype=bool)
        # 发放机 in a question about the pickup limit is a topic that entry never names, but
        # its neighbours do: foreign to the entry, not to what it is about.
        self.category_topics: dict[str, frozenset[int]] = {}
        for entry, topics in zip(entries, index.entry_topics, strict=True):
            self.category_topics[entry.category] = \
                self.category_topics.get(entry.category, frozenset()) | topics

    @classmethod
    def build(cls, entries: Iterable[FaqEntry], calibration: Calibration | None = None,
              not_ours: Iterable[str] | None = None) -> FaqMatcher:
        """``not_ours``: questions known to be other offices' (by default data/not_ours.yaml)."""
        entries = [e for e in entries if e.enabled]
        phrasings = []
        attached_at: set[int] = set()
        exact: dict[str, int] = {}
        for number, entry in enumerate(entries):
            # texts() is the question, the similar questions, then the keywords.
            first_attached = len(phrasings) + 1
            attached_at.update(range(first_attached,
                                     first_attached + len(entry.similar_questions)))
            for text in entry.texts():
                phrasings.append((number, text))
                exact.setdefault(basic(text).replace(" ", ""), number)
        answers = [strip_placeholders(e.answer) for e in entries]
        index = FeatureIndex(phrasings, answers, frozenset(attached_at))
        matcher = cls(entries, index, calibration or load_calibration())
        matcher.exact = exact
        # Each phrasing's content words run together, as the index read them: a reading
        # two entries share is neither's.
        content: dict[str, int | None] = {}
        for (number, _text), key in zip(phrasings, index.take_content_keys(), strict=True):
            content[key] = number if content.get(key, number) == number else None
        matcher.exact_content = {key: number for key, number in content.items()
                                 if key and number is not None}
        written = [text for e in entries for text in (e.question, *e.keywords)] + answers
        attached = [text for e in entries for text in e.similar_questions]
        matcher.corrector = _corrector(written, attached, index)
        matcher.pinyin = _pinyin_reader(written + attached, index)
        # Indexed apart, as one text of its own: never a candidate, and the base's own
        # weights (a word's rarity among the entries, BM25's lengths) stay the entries'.
        examples = list(not_ours_examples() if not_ours is None else not_ours)
        matcher.not_ours_questions = tuple(examples)
        matcher.not_ours = FeatureIndex([(0, text) for text in examples], [""],
                                        frozenset(range(len(examples))),
                                        passing_words=False) if examples else None
        if len(entries) > 1000:
            # Building churns through many small objects; hand the memory back before serving.
            gc.collect()
            _trim_heap()
        return matcher

    def ranked(self, text: str, top: int = 8) -> list[tuple[int, float]]:
        """Entries by the index's score alone (before the calibrated model)."""
        evidence = self.index.evidence(text)
        if evidence is None:
            return []
        similarity, coverage = evidence
        scores = SIMILARITY_SHARE * similarity + (1 - SIMILARITY_SHARE) * coverage
        best = np.argpartition(-scores, top)[:top] if len(scores) > top else np.arange(len(scores))
        ranked = sorted(((int(i), float(scores[i])) for i in best), key=lambda item: -item[1])
        return [(entry, score) for entry, score in ranked if score > 0]

    def candidate_features(self, text: str) -> dict[int, np.ndarray]:
        """Per entry worth weighing: its feature row (``FEATURES``), from the one reading of
        the question (whole, a clause of it, each also homophone-corrected) whose best entry
        the ranker rates highest: one reading, so that an entry cannot borrow a clause that
        suits it from a story about something else."""
        best: dict[int, np.ndarray] = {}
        best_logit = -math.inf
        readings = focus(text or "")
        length = min(1.0, len(question_form(readings[0][0])) / MAX_QUERY_CHARS) if readings \
            else 0.0
        topic: str | None = None
        votes: dict[int, int] = {}
        for clause, left_out in readings:
            reading = question_form(clause)
            if left_out and not strip_fillers(reading, keep_all_filler=False):
                # "那个" alone is a filler, not a question (corrected, it became 哪个 → "which
                # method suits me").
                continue
            if left_out and not self.index.topic_words(reading):
                # "这个检查到底是干嘛的" after "村医让我们去做孕前检查": the clause asks about
                # the topic the story named. Read alone it is any entry's question.
                if topic is None:
                    whole = question_form(readings[0][0])
                    topic = " ".join(self.index.topic_words(whole)
                                     or self.index.topic_words(self.corrector.correct(whole)))
                if not topic:
                    continue
                reading = topic + " " + reading
            for form, corrected in ((reading, 0.0), (self.corrector.correct(reading), 1.0)):
                if corrected and form is reading:
                    continue
                rows = dict(self._rows(form, corrected, left_out, need_topic=bool(left_out),
                                       length=length))
                if not rows:
                    continue
                top, first = max((self._reading_logit(row), entry)
                                 for entry, row in rows.items())
                votes[first] = votes.get(first, 0) + 1
                if top > best_logit:
                    best, best_logit = rows, top
        total = sum(votes.values()) or 1
        # "身份证丢了，补办是去派出所还是政务大厅": its best reading is the first clause, which
        # is a question about the registration's materials; the message is the police's.
        errand = 1.0 if readings and self.index.names_other_errand(
            question_form(readings[0][0])) else 0.0
        # "城乡居民医保今年交多少钱" shares 医保 and 交 with the birth-cost entry's residents'
        # questions, and reads more like the premium questions residents took elsewhere.
        not_ours = self._not_ours(question_form(readings[0][0])) if readings else 0.0
        return {entry: np.append(row, (errand, votes.get(entry, 0) / total, not_ours))
                for entry, row in best.items()}

    def _not_ours(self, text: str) -> float:
        evidence = self.not_ours.evidence(text) if self.not_ours is not None else None
        return float(evidence[0][0]) if evidence is not None else 0.0

    def _rows(self, text: str, corrected: float, left_out: float = 0.0,
              need_topic: bool = False, length: float = 0.0) -> list[tuple[int, np.ndarray]]:
        detail = self.index.evidence_detail(text)
        if detail is None or (need_topic and not detail["topics"]):
            # A part of a message read alone must name what it is about: "咋办呢" from "我儿子
            # 老不回家，咋办呢" is any entry's "how", and matched one exactly.
            return []
        similarity, coverage = detail["similarity"], detail["coverage"]
        scores = SIMILARITY_SHARE * similarity + (1 - SIMILARITY_SHARE) * coverage
        depth = min(RERANK_DEPTH, len(scores))
        best = np.argpartition(-scores, depth - 1)[:depth] if len(scores) > depth \
            else np.arange(len(scores))
        ordered = np.sort(scores[best])[::-1]
        top_score = float(ordered[0])
        runner_up = float(ordered[1]) if len(ordered) > 1 else 0.0
        topics = detail["topics"]
        positive = [int(i) for i in best if scores[i] > 0]
        total = float(sum(scores[i] for i in positive)) or 1.0
        by_category: dict[str, float] = {}
        for i in positive:
            category = self.entries[i].category
            by_category[category] = by_category.get(category, 0.0) + float(scores[i])
        rows = []
        for i in best:
            i = int(i)
            if scores[i] <= 0:
                continue
            aspect_miss = 1.0 - min(1.0, float(detail["aspect"][i])) if detail["has_aspect"] \
                else 0.0
            rows.append((i, np.array([
                similarity[i], coverage[i], scores[i] - top_score,
                1.0 if topics & self.index.entry_topics[i] else 0.0,
                0.0 if topics else 1.0,
                detail["unseen"], aspect_miss,
                (1.0 - min(1.0, coverage[i])) if self.medical[i] else 0.0,
                corrected, min(1.0, float(detail["word_coverage"][i])), detail["unseen_words"],
                1.0 if topics - self.index.entry_topics[i] else 0.0,
                scores[i] - (runner_up if scores[i] >= top_score else top_score),
                float(detail["bm25"][i]),
                by_category[self.entries[i].category] / total,
                left_out,
                1.0 if detail["has_aspect"] and self.index.entry_aspects[i]
                and not self.index.entry_aspects[i] & detail["aspects"] else 0.0,
                float(detail["standard"][i]),
                1.0 if self.index.entry_standard_topics[i]
                and not self.index.entry_standard_topics[i] & topics else 0.0,
                1.0 if detail["other_errand"] else 0.0,
                length, detail["unseen_words"] * length,
                1.0 if topics - self.category_topics[self.entries[i].category] else 0.0,
            ], dtype=np.float64)))
        return rows

    def use(self, calibration: Calibration) -> None:
        """Weigh with ``calibration`` from now on (the fit swaps models on one index)."""
        self.calibration = calibration
        self.answer_threshold = calibration.answer_threshold
        self.suggest_threshold = calibration.suggest_threshold
        self._weights = np.array(calibration.weights, dtype=np.float64)
        self._confidence_weights = (
            None if calibration.confidence_weights is None
            else np.array(calibration.confidence_weights, dtype=np.float64))

    def _logit(self, row: np.ndarray) -> float:
        return float(self.calibration.bias + row @ self._weights)

    def _reading_logit(self, row: np.ndarray) -> float:
        """The ranker's logit for a row of one reading, which has every feature but the
        message's own (READING_WIDTH): the readings' agreement is counted once all of them
        are weighed."""
        return float(self.calibration.bias + row @ self._weights[:READING_WIDTH])

    def confidence_row(self, rows: dict[int, np.ndarray],
                       logits: list[tuple[float, int]] | None = None) -> tuple[int, np.ndarray]:
        """The ranker's first entry and its confidence features (``CONFIDENCE_FEATURES``);
        ``logits``: the ranker's (logit, entry) best first, when already known."""
        if logits is None:
            logits = sorted(((self._logit(row), entry) for entry, row in rows.items()),
                            key=lambda item: -item[0])
        top_logit, top = logits[0]
        # A lone candidate is no sign of certainty: the question shares too little with the
        # base for any other entry to score; its margin says nothing. A lead counts as much
        # as the ranker believes in the first entry at all: far ahead of nothing is not sure.
        margin = top_logit - logits[1][0] if len(logits) > 1 else 0.0
        lead = min(RANK_MARGIN_CAP, margin) * _sigmoid(top_logit)
        return top, np.concatenate((rows[top], (top_logit, lead)))

    def top_confidence(self, row: np.ndarray) -> float:
        """The probability that the best-ranked entry, of confidence row ``row``
        (``confidence_row``), answers."""
        if self._confidence_weights is None:
            return _sigmoid(self._logit(row[:len(FEATURES)]))
        return _sigmoid(self.calibration.confidence_bias + row @ self._confidence_weights)

    def exact_entry(self, text: str) -> int | None:
        """The entry one of whose phrasings the question is, word for word (fillers aside),
        or once both are read as their content words through the synonym table (孕检 is
        孕前检查, a keyword of the check's entry; 叶酸的事 is 叶酸, a topic and nothing else
        about it) when no other entry has a phrasing that reads the same."""
        plain = question_form(text or "").replace(" ", "")
        found = self.exact.get(plain, self.exact.get(basic(text or "").replace(" ", "")))
        if found is None and plain:
            found = self.exact_content.get("".join(words(text or "")))
        return found

    def match(self, text: str, limit: int = 3) -> MatchResult:
        text = self.pinyin.read(text or "")
        if not question_form(text):
            return MatchResult("not_answered", 0.0, None, [])
        exact = self.exact_entry(text)
        if exact is not None:
            # Word for word one of the entry's phrasings.
            entry = self.entries[exact]
            best = Candidate(entry.code, entry.question, 1.0)
            return MatchResult("answered", 1.0, best, [best])
        rows = self.candidate_features(text)
        if not rows:
            return MatchResult("not_answered", 0.0, None, [])
        logits = sorted(((self._logit(row), entry) for entry, row in rows.items()),
                        key=lambda item: -item[0])
        weighed = [(entry, _sigmoid(logit)) for logit, entry in logits]
        top, confidence_row = self.confidence_row(rows, logits)
        confidence = self.top_confidence(confidence_row)
        weighed[0] = (top, confidence)
        floor = self.calibration.medical_min_coverage
        if (self.medical[top] and advice_coverage(rows[top]) < floor) \
                or rows[top][UNSEEN] >= self.calibration.max_unseen:
            # Advice for a question it does not explain, or an answer to a question mostly
            # about something else: offered, never given as the answer.
            confidence = min(confidence, math.nextafter(self.answer_threshold, 0.0))
        ranked = [Candidate(self.entries[i].code, self.entries[i].question, round(p, 4))
                  for i, p in weighed[:limit]]
        # Beside an answer, only entries the ranker itself finds likely are offered as
        # related questions.
        candidates = [c for c in ranked if c.confidence >= self.suggest_threshold / 2]
        best = candidates[0] if candidates else None
        if best is not None and confidence >= self.answer_threshold:
            return MatchResult("answered", confidence, best, candidates)
        if best is not None and confidence >= self.suggest_threshold:
            # Unsure, the bot offers its first few in the ranker's order, however unlikely
            # the ranker finds the second: it rates the runners-up near nought even when one
            # of them is right (in cross-validation a list of three held the right entry for
            # 105 of 109 suggested questions, the filtered list of about one for 95).
            return MatchResult("suggested", confidence, best, ranked)
        return MatchResult("not_answered", confidence, None, candidates)

    def entry(self, code: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.code == code), None)


def _corrector(texts: list[str], attached: list[str], index: FeatureIndex
               ) -> HomophoneCorrector:
    """``texts``: what staff wrote (questions, keywords, answers); ``attached``: the similar
    questions, often residents' own words as typed."""
    # The base's words as the index already segmented them, and the residents' variants the
    # synonym table knows: segmenting every text again would double a large base's build.
    words = set(domain_terms())
    words.update(feature[2:] for feature in index.feature_ids if feature.startswith("w:"))
    for variant, term in synonym_table():
        words.add(variant)
        words.update(term.split())
    forms = {question_form(text) for text in texts}
    attached_forms = {question_form(text) for text in attached} - forms
    # Without jieba's HMM: it glues unknown characters into made-up words (夜酸要), and only
    # a word of the dictionary is a real word that a typo cannot be.
    tokenizer = get_tokenizer()
    return HomophoneCorrector(forms, words,
                              segment=lambda text: tokenizer.lcut(text, HMM=False),
                              terms=domain_terms(), attached=attached_forms,
                              is_word=lambda pair: tokenizer.FREQ.get(pair, 0) > 0,
                              plausible=plausibility)


def _pinyin_reader(texts: list[str], index: FeatureIndex) -> PinyinReader:
    """Reads pinyin as the base's words and character pairs (as the index read them, each as
    common as the number of phrasings that say it) and the field's terms."""
    starts = index.phrasings.starts
    pieces: dict[str, float] = {}
    for feature, column in index.feature_ids.items():
        if feature[:2] in ("w:", "b:"):
            pieces[feature[2:]] = float(starts[column + 1] - starts[column])
    # The field's terms, residents' variants the synonym table lists (孕检, 发放机) and the
    # fillers (想问一下) are read before the index sees them: as common as one phrasing in a
    # hundred at least.
    floor = max(pieces.values(), default=0.0) / 100
    for term in (*domain_terms(), *(variant for variant, _term in synonym_table()), *fillers()):
        pieces[term] = max(pieces.get(term, 0.0), floor)
    return PinyinReader(pieces, texts, plausible=plausibility)


def _trim_heap() -> None:
    """Return the build's freed heap to the system. glibc keeps freed memory below its
    (self-raising) mmap threshold in the process: a 10,000-entry build leaves ~150 MB of it
    in every worker otherwise. Elsewhere (musl, macOS) there is nothing to call."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
