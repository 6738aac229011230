"""Cross-validated FAQ quality on the calibration split: the models and thresholds are fitted
(scripts/fit_faq_thresholds.py's fit) on all folds but one and scored on the one left out, so
an engine or knowledge-base change can be judged without ever looking at the held-out split.

    .venv/bin/python bench/faq_cv.py [--folds 5]

Commands are left out (the router answers them, the matcher never sees them).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.faq_quality import KB, load_questions  # noqa: E402
from scripts.fit_faq_thresholds import _questions, fit  # noqa: E402
from wxapp.faq.knowledge_base import load_knowledge_base  # noqa: E402
from wxapp.faq.matcher import CONFIDENCE_FEATURES, FEATURES, Calibration, FaqMatcher  # noqa: E402


def calibration_of(fitted: dict) -> Calibration:
    model, confidence = fitted["model"], fitted["confidence"]
    return Calibration(fitted["answer_threshold"], fitted["suggest_threshold"], model["bias"],
                       tuple(model["weights"][f] for f in FEATURES),
                       fitted["medical_min_coverage"], confidence["bias"],
                       tuple(confidence["weights"][f] for f in CONFIDENCE_FEATURES),
                       fitted["max_unseen"])


def cross_validate(matcher: FaqMatcher, questions, folds: int) -> dict:
    right = ranked_first = top3 = in_scope = rejected = out_of_scope = 0
    wrong = answered_oos = 0
    for fold in range(folds):
        train = [q for i, q in enumerate(questions) if i % folds != fold]
        test = [q for i, q in enumerate(questions) if i % folds == fold]
        matcher.use(calibration_of(fit(matcher, train)))
        for text, gold in test:
            result = matcher.match(text)
            codes = [c.code for c in result.candidates]
            answered = result.best.code if result.outcome == "answered" else None
            if gold is None:
                out_of_scope += 1
                rejected += answered is None
                answered_oos += answered is not None
            else:
                in_scope += 1
                right += answered == gold
                wrong += answered is not None and answered != gold
                ranked_first += bool(codes) and codes[0] == gold
                top3 += gold in codes[:3]
    return {"top1": right / in_scope, "ranked_first": ranked_first / in_scope,
            "top3": top3 / in_scope, "rejection": rejected / out_of_scope,
            "wrong": wrong, "answered_oos": answered_oos, "n": in_scope, "m": out_of_scope}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    placeholder = Calibration(1.0, 1.0, 0.0, tuple(0.0 for _ in FEATURES))
    matcher = FaqMatcher.build(load_knowledge_base(KB).entries, calibration=placeholder)
    questions = _questions(load_questions("calibration"))
    scores = cross_validate(matcher, questions, args.folds)
    print(f"calibration, {args.folds}-fold CV: {scores['n']} in scope, {scores['m']} out")
    print(f"top-1 answered {scores['top1']:.1%}, right first {scores['ranked_first']:.1%}, "
          f"top-3 {scores['top3']:.1%}, rejection {scores['rejection']:.1%} "
          f"(wrong answers {scores['wrong']}, out-of-scope answered {scores['answered_oos']})")


if __name__ == "__main__":
    main()
