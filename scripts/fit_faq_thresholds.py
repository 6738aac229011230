"""Fit the FAQ bot's confidence model and its answer / suggest thresholds on the calibration
split of the labelled residents' questions, and write them to wxapp/faq/data/thresholds.yaml
(read by the matcher at start).

    .venv/bin/python scripts/fit_faq_thresholds.py [--check]

1. Every calibration question is read as the bot reads it; each entry worth weighing gives a
   feature row (wxapp.faq.matcher.FEATURES), labelled 1 for the right entry, 0 otherwise (all
   rows of out-of-scope and near-domain questions are 0). Where the base holds the question
   itself (staff attach residents' wordings as similar questions), it is read by a matcher
   over the base without the questions of its fold (CrossFitted), as a new question meets it.
2. The ranker, which orders the entries: a conditional logit (softmax over each question's
   candidates, L2-regularised, Newton's method) that makes the right entry the likeliest of
   its question's candidates, then one scale and bias over its score by logistic regression
   on every row, so that its output for a row reads as a probability. It is fitted twice:
   the matcher keeps the reading of the question (a clause, the homophone correction) its
   model rates best, so the second fit sees the rows the matcher will.
   A second, logistic, regression, the confidence, is fitted on each question's best-ranked
   row alone (and the ranker's verdict on it: its score, its lead over the second), labelled
   by whether that entry is the right one: its output is the probability that the bot's
   first entry answers the question.
3. The answer threshold is the one that maximises, over the calibration questions,
   right answers - 3 x wrong answers - 4 x out-of-scope questions answered, among those that
   keep at least 97 % of the out-of-scope questions unanswered: a wrong or invented answer
   costs more than a question handed to suggestions or to staff (a suggestion costs the
   resident one tap; a wrong answer she may act on, and finding out costs her a new
   question). The thresholds are chosen on out-of-fold confidences (OOF_FOLDS): each
   question rated by models fitted without it, as a resident's next question is; on the
   questions it was fitted on a model is surer than it should be. The objective is flat over
   a wide band of thresholds, and where its best falls within the band is chance: the
   threshold taken is the one whose neighbours (SMOOTHING either side) do best on average.
   Before it, the most of a question's weight the knowledge base may never use for the
   question still to be answered (feature `unseen`): the strictest ceiling of the best
   value, plus UNSEEN_MARGIN.
4. The least share of a question's words a health-advice entry (data/medical_entries.txt) must
   explain to be given as the answer (wxapp.faq.matcher.advice_coverage: none when it names a
   topic the entry never mentions, all when the base knows every word of it):
   right answers - 10 x wrong or out-of-scope ones, over the questions such an entry would
   answer; the strictest floor among equals.
5. The suggest threshold maximises the questions whose right entry is among the suggestions
   offered (the ranker's first three), minus half the out-of-scope questions given
   suggestions.

The held-out split is never read here. --check refits and fails when the committed file
differs (the fit is deterministic).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.faq_quality import KB, load_questions  # noqa: E402
from wxapp.faq.entries import FaqEntry  # noqa: E402
from wxapp.faq.intents import route  # noqa: E402
from wxapp.faq.knowledge_base import load_knowledge_base  # noqa: E402
from wxapp.faq.matcher import (  # noqa: E402
    CALIBRATION_FILE,
    CONFIDENCE_FEATURES,
    FEATURES,
    UNSEEN,
    Calibration,
    FaqMatcher,
    advice_coverage,
    not_ours_examples,
)
from wxapp.faq.normalize import basic  # noqa: E402

L2 = 0.3
WRONG_COST = 3.0
OUT_OF_SCOPE_COST = 4.0
MIN_REJECTION = 0.97
OOS_SUGGESTION_COST = 0.5
# Health advice given to a question it does not answer can hurt (issue 18's 避孕药吃多了…
# answered "stop the pill"): the gate's floor weighs each such answer as ten missed ones.
HARMFUL_ADVICE_COST = 10.0
CANDIDATES_SHOWN = 3
# Above the strictest unseen-share ceiling the calibration questions allow, this much room.
UNSEEN_MARGIN = 0.05
# How far either side of a threshold its neighbours reach when the objective is smoothed.
SMOOTHING = 0.05
# Folds of the out-of-fold confidences the thresholds are chosen on.
OOF_FOLDS = 5


PLACEHOLDER = Calibration(1.0, 1.0, 0.0, tuple(0.0 for _ in FEATURES))
# Folds of the cross-fit: each question is read by a matcher whose base lacks a fifth of the
# labelled questions, its own among them.
CROSS_FOLDS = 5


def _key(text: str) -> str:
    return basic(text).replace(" ", "")


def without(entries: Iterable[FaqEntry], texts: Iterable[str]) -> list[FaqEntry]:
    """``entries`` less the similar questions that are one of ``texts`` (spaces aside)."""
    dropped = {_key(text) for text in texts}
    return [dataclasses.replace(entry, similar_questions=tuple(
                q for q in entry.similar_questions if _key(q) not in dropped))
            for entry in entries]


def not_ours_without(texts: Iterable[str]) -> list[str]:
    """The questions known to be other offices' (data/not_ours.yaml), less ``texts``."""
    dropped = {_key(text) for text in texts}
    return [q for q in not_ours_examples() if _key(q) not in dropped]


class CrossFitted:
    """The matcher as a new question meets it, for questions the base itself holds.

    Residents' questions that staff attached to entries (the labelled calibration questions
    among them) are similar questions of the base: read by a matcher over the whole base, each
    would match itself word for word, and a model fitted on that would be sure of questions it
    has never met. Here each question is read by a matcher over the base without the
    questions of its fold (CROSS_FOLDS), so its features are a stranger's. Only what ``fit``
    asks of a matcher is provided."""

    def __init__(self, entries: list[FaqEntry], questions: list[tuple[str, str | None]],
                 folds: int = CROSS_FOLDS, not_ours: list[str] | None = None):
        """``not_ours``: the questions known to be other offices' (by default all of
        data/not_ours.yaml), less each fold's as the entries are."""
        texts = list(dict.fromkeys(_key(text) for text, _gold in questions))
        self.fold = {text: number % folds for number, text in enumerate(texts)}
        known = list(not_ours_examples() if not_ours is None else not_ours)
        self.matchers = []
        for fold in range(folds):
            unseen = {t for t in texts if self.fold[t] == fold}
            self.matchers.append(FaqMatcher.build(
                without(entries, unseen), calibration=PLACEHOLDER,
                not_ours=[q for q in known if _key(q) not in unseen]))
        self.entries = self.matchers[0].entries
        self.medical = self.matchers[0].medical

    def _of(self, text: str) -> FaqMatcher:
        return self.matchers[self.fold[_key(text)]]

    def use(self, calibration: Calibration) -> None:
        for matcher in self.matchers:
            matcher.use(calibration)

    def candidate_features(self, text: str):
        return self._of(text).candidate_features(text)

    def exact_entry(self, text: str) -> int | None:
        return self._of(text).exact_entry(text)

    def confidence_row(self, rows, logits=None):
        return self.matchers[0].confidence_row(rows, logits)


def _questions(data: dict) -> list[tuple[str, str | None]]:
    items = [(p["q"], p["code"]) for p in data["paraphrases"]]
    items += [(o if isinstance(o, str) else o["q"], None) for o in data["out_of_scope"]]
    # Commands never reach the matcher: the router answers them.
    return [(q, code) for q, code in items if route(q) is None]


def _newton(loss, derivatives, n: int) -> np.ndarray:
    """The minimum of the convex ``loss`` over n weights by Newton's method, each step halved
    until the loss falls: a full step can overshoot far from the optimum (the ranker, over
    eight or more candidates a question, ran off to weights in the thousands).
    ``derivatives(w)``: the gradient and the Hessian at w."""
    w = np.zeros(n)
    current = loss(w)
    for _ in range(100):
        gradient, hessian = derivatives(w)
        step = np.linalg.solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-6:
            trial = loss(w - scale * step)
            if trial <= current:
                break
            scale /= 2
        else:
            break
        w -= scale * step
        current = trial
        if np.abs(scale * step).max() < 1e-10:
            break
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    design = np.hstack([np.ones((len(x), 1)), x])
    penalty = np.eye(design.shape[1]) * L2
    penalty[0, 0] = 0.0  # the bias is not shrunk

    def loss(w: np.ndarray) -> float:
        z = design @ w
        # log(1 + e^z) - y z, computed without overflow.
        return float((np.logaddexp(0.0, z) - y * z).sum() + 0.5 * w @ penalty @ w)

    def derivatives(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        return (design.T @ (p - y) + penalty @ w,
                design.T @ (design * (p * (1 - p))[:, None]) + penalty)

    w = _newton(loss, derivatives, design.shape[1])
    return float(w[0]), w[1:]


def fit_softmax(groups: list[tuple[np.ndarray, int]], n: int) -> np.ndarray:
    """Conditional logit (L2, Newton): weights under which each question's right entry is the
    likeliest of its candidates. ``groups``: (candidate rows, index of the right one)."""

    def loss(w: np.ndarray) -> float:
        total = 0.5 * L2 * float(w @ w)
        for x, gold in groups:
            z = x @ w
            top = z.max()
            total += float(top + np.log(np.exp(z - top).sum()) - z[gold])
        return total

    def derivatives(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gradient = L2 * w
        hessian = np.eye(n) * L2
        for x, gold in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            mean = p @ x
            gradient -= x[gold] - mean
            hessian += (x * p[:, None]).T @ x - np.outer(mean, mean)
        return gradient, hessian

    return _newton(loss, derivatives, n)


def _read(matcher, questions) -> list[dict]:
    """Each question's candidates' feature rows, as the matcher reads it now."""
    return [matcher.candidate_features(text) for text, _gold in questions]


def _fit_ranker(per_question: list[dict], questions, codes, chosen) -> tuple[float, np.ndarray]:
    """The ranker fitted on the questions numbered ``chosen``."""
    rows, labels, groups = [], [], []
    for number in chosen:
        candidates, gold = per_question[number], questions[number][1]
        entries = list(candidates)
        for entry in entries:
            rows.append(candidates[entry])
            labels.append(1.0 if codes[entry] == gold else 0.0)
        right = [i for i, entry in enumerate(entries) if codes[entry] == gold]
        if right and len(entries) > 1:
            groups.append((np.array([candidates[e] for e in entries]), right[0]))
    # The order comes from the ranking objective; one scale and bias over its score make the
    # candidates' probabilities (what suggestions are filtered by).
    direction = fit_softmax(groups, len(rows[0]))
    scores = np.array(rows) @ direction
    bias, (scale,) = fit_logistic(scores[:, None], np.array(labels))
    return bias, scale * direction


def _logits(candidates: dict, bias: float, weights: np.ndarray) -> list[tuple[float, int]]:
    return sorted(((float(bias + row @ weights), entry) for entry, row in candidates.items()),
                  key=lambda item: -item[0])


def _fit_confidence(matcher, per_question, questions, codes, chosen, bias, weights
                    ) -> tuple[float, np.ndarray]:
    """The confidence model over the best-ranked row of each question numbered ``chosen``
    the matcher weighs, labelled by whether that entry is the right one."""
    tops, labels = [], []
    for number in chosen:
        (text, gold), candidates = questions[number], per_question[number]
        if matcher.exact_entry(text) is not None or not candidates:
            continue
        top, row = matcher.confidence_row(candidates, _logits(candidates, bias, weights))
        tops.append(row)
        labels.append(1.0 if codes[top] == gold else 0.0)
    return fit_logistic(np.array(tops), np.array(labels))


def _sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))


def fit(matcher: FaqMatcher | CrossFitted, questions: list[tuple[str, str | None]]) -> dict:
    codes = [e.code for e in matcher.entries]
    everyone = range(len(questions))
    # Every fit starts from readings weighed equally, whatever model the matcher held before
    # (cross-validation fits one matcher fold after fold: the last fold's model must not
    # choose this fold's readings).
    matcher.use(PLACEHOLDER)
    bias, weights = _fit_ranker(_read(matcher, questions), questions, codes, everyone)
    # The matcher keeps, per entry, the reading of the question its model rates best: fitted
    # once with every reading equal, the model then picks the rows it is fitted on again.
    matcher.use(Calibration(1.0, 1.0, bias, tuple(weights)))
    per_question = _read(matcher, questions)
    bias, weights = _fit_ranker(per_question, questions, codes, everyone)
    matcher.use(Calibration(1.0, 1.0, bias, tuple(weights)))
    rows_seen = sum(len(candidates) for candidates in per_question)
    confidence_bias, confidence_weights = _fit_confidence(
        matcher, per_question, questions, codes, everyone, bias, weights)

    # The thresholds are chosen on confidences the models give questions they were not fitted
    # on (OOF_FOLDS): on its own questions a model is surer than on a resident's next one,
    # and a rejection rate read there would not hold.
    # (gold, [(code, probability)] best first, the best's word coverage if it gives health
    # advice, the share of its weight the base never uses), exact phrasings as the bot
    # answers them.
    raw = []
    for fold in range(OOF_FOLDS):
        kept = [n for n in everyone if n % OOF_FOLDS != fold]
        fold_bias, fold_weights = _fit_ranker(per_question, questions, codes, kept)
        fold_confidence = _fit_confidence(matcher, per_question, questions, codes, kept,
                                          fold_bias, fold_weights)
        for number in everyone[fold::OOF_FOLDS]:
            (text, gold), candidates = questions[number], per_question[number]
            exact = matcher.exact_entry(text)
            if exact is not None:
                raw.append((gold, [(codes[exact], 1.0)], None, 0.0))
                continue
            logits = _logits(candidates, fold_bias, fold_weights)
            ranked = [(entry, float(_sigmoid(logit))) for logit, entry in logits]
            top = None
            if ranked:
                top, row = matcher.confidence_row(candidates, logits)
                ranked[0] = (top, float(_sigmoid(fold_confidence[0] + row @ fold_confidence[1])))
            medical = None
            if top is not None and matcher.medical[top]:
                medical = advice_coverage(candidates[top])
            unseen = float(candidates[top][UNSEEN]) if top is not None else 0.0
            raw.append((gold, [(codes[e], p) for e, p in ranked], medical, unseen))

    grid = np.round(np.arange(0.05, 0.96, 0.005), 3)

    def unseen_value(ceiling: float, threshold: float) -> float:
        value = 0.0
        for gold, ranked, _medical, unseen in raw:
            if not ranked or unseen >= ceiling or ranked[0][1] < threshold:
                continue
            value += (1.0 if ranked[0][0] == gold else
                      -OUT_OF_SCOPE_COST if gold is None else -WRONG_COST)
        return value

    # Among ceilings of equal value the strictest, and a margin above it: the calibration
    # questions cannot tell them apart, and a question the base mostly does not speak of is
    # better suggested than answered.
    unseen_grid = np.round(np.arange(0.4, 1.001, 0.025), 3)
    best_ceiling = max((sum(unseen_value(c, t) for t in grid[::10]), -c) for c in unseen_grid)
    max_unseen = min(1.0, float(-best_ceiling[1]) + UNSEEN_MARGIN)

    def gated(minimum: float) -> list:
        """(gold, ranked, blocked): blocked is an answer a gate turns into a suggestion, as
        the matcher does: health advice the question does not ask for, or a question the
        base mostly does not speak of."""
        return [(gold, ranked, (medical is not None and medical < minimum) or unseen >= max_unseen)
                for gold, ranked, medical, unseen in raw]

    def medical_value(minimum: float, threshold: float) -> float:
        value = 0.0
        for gold, ranked, medical, _unseen in raw:
            if medical is None or medical < minimum or ranked[0][1] < threshold:
                continue
            right = ranked[0][0] == gold
            value += 1.0 if right else -HARMFUL_ADVICE_COST
        return value

    # The gate first, at the ungated best threshold's neighbourhood (it only removes answers).
    coverage_grid = np.round(np.arange(0.0, 1.0, 0.025), 3)
    # Among floors of equal value the strictest: the calibration questions cannot tell them
    # apart, and a health question the base does not hold must not be answered.
    medical_min_coverage = float(max(
        (sum(medical_value(c, t) for t in grid[::10]), c) for c in coverage_grid)[1])
    scored = gated(medical_min_coverage)
    in_scope = [s for s in scored if s[0] is not None]
    out_of_scope = [s for s in scored if s[0] is None]

    def answer_value(threshold: float) -> tuple[float, float]:
        right = wrong = answered_oos = 0
        for gold, ranked, blocked in in_scope:
            if ranked and not blocked and ranked[0][1] >= threshold:
                right += ranked[0][0] == gold
                wrong += ranked[0][0] != gold
        for _, ranked, blocked in out_of_scope:
            answered_oos += bool(ranked) and not blocked and ranked[0][1] >= threshold
        rejection = 1 - answered_oos / len(out_of_scope)
        return right - WRONG_COST * wrong - OUT_OF_SCOPE_COST * answered_oos, rejection

    allowed = [(answer_value(t)[0], -t, t) for t in grid if answer_value(t)[1] >= MIN_REJECTION]

    # The objective is flat over a wide band (the marginal answers there are right about as
    # often as the costs ask), and where in the band its best, or the band's edge, falls is
    # chance: the threshold taken is the best on average over its neighbours (SMOOTHING
    # either side), the middle of the band rather than an edge of it. The band's lower edge
    # (the one-standard-error rule's choice) moved by a tenth between fits of nearly the same
    # questions, and at its lowest answered another office's premium question with the birth
    # costs entry.
    values = {float(t): value for value, _minus, t in allowed}

    def smoothed(threshold: float) -> float:
        near = [value for t, value in values.items() if abs(t - threshold) <= SMOOTHING + 1e-9]
        return sum(near) / len(near)

    answer_threshold = max(values, key=lambda t: (smoothed(t), -t))

    def suggest_value(threshold: float) -> float:
        value = 0.0

        def offered(ranked, blocked) -> bool:
            return bool(ranked) and threshold <= ranked[0][1] and (
                blocked or ranked[0][1] < answer_threshold)

        for gold, ranked, blocked in in_scope:
            if offered(ranked, blocked):
                value += gold in [code for code, _p in ranked[:CANDIDATES_SHOWN]]
        for _, ranked, blocked in out_of_scope:
            if offered(ranked, blocked):
                value -= OOS_SUGGESTION_COST
        return value

    suggest_grid = [t for t in grid if t < answer_threshold]
    suggest_threshold = float(max((suggest_value(t), t) for t in suggest_grid)[1])
    value, rejection = answer_value(answer_threshold)
    return {
        "answer_threshold": round(answer_threshold, 3),
        "suggest_threshold": round(suggest_threshold, 3),
        "medical_min_coverage": round(medical_min_coverage, 3),
        "max_unseen": round(max_unseen, 3),
        "model": _model(bias, weights),
        "confidence": _model(confidence_bias, confidence_weights, CONFIDENCE_FEATURES),
        "fitted_on": {"split": "calibration", "in_scope": len(in_scope),
                      "out_of_scope": len(out_of_scope), "rows": rows_seen,
                      "calibration_rejection": round(rejection, 4),
                      "objective": round(value, 2)},
    }


def _model(bias: float, weights: np.ndarray, names: tuple[str, ...] = FEATURES) -> dict:
    # Three decimals: the fit is deterministic, its last float bits are not (nor the sign of a
    # weight that rounds to zero: + 0.0 turns -0.0 into 0.0).
    return {"bias": round(float(bias), 3) + 0.0,
            "weights": {name: round(float(w), 3) + 0.0 for name, w in zip(names, weights,
                                                                          strict=True)}}


HEADER = """\
# Written by scripts/fit_faq_thresholds.py: do not edit by hand, re-run the fit.
# The FAQ matcher's models (logistic regressions over wxapp.faq.matcher.FEATURES: `model`
# ranks the entries, `confidence` rates the first one) and its thresholds on that
# confidence: answer at or above answer_threshold, suggest at or above
# suggest_threshold, otherwise admit it and offer the hand-over. Fitted on the calibration
# split of tests/faq/data (paraphrases.yaml + residents.yaml's calibration); the held-out split
# is never read by the fit.
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    questions = _questions(load_questions("calibration"))
    fitted = fit(CrossFitted(load_knowledge_base(KB).entries, questions), questions)
    text = HEADER + yaml.safe_dump(fitted, allow_unicode=True, sort_keys=False)
    if args.check:
        if CALIBRATION_FILE.read_text(encoding="utf-8") != text:
            sys.exit("thresholds.yaml is not what the fit gives: re-run the fit and commit it")
        print("thresholds.yaml matches the fit")
        return
    CALIBRATION_FILE.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
