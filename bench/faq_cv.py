"""Cross-validated FAQ quality on the calibration split: the models and thresholds are fitted
(scripts/fit_faq_thresholds.py's fit) on all folds but one and scored on the one left out, so
an engine or knowledge-base change can be judged without ever looking at the held-out split.

    .venv/bin/python bench/faq_cv.py [--folds 5] [--repeats 1] [--by-set]

With --repeats N the folds are drawn N times (the first in file order, then shuffled with fixed
seeds) and the figures are the mean: one 5-fold reading of 300 questions moves by a point or
two with how the folds happen to fall, more than most single changes are worth.

With --fixed the committed thresholds.yaml weighs every fold instead of a fit on the other
folds: a paired reading of a lexicon change with the model held still, apart from the swing
of a refit (the threshold moves by a few hundredths between fits of nearly the same data).
The committed fit has seen every fold's questions, so its figures read high; only the
difference between two runs means anything.

With --by-set the folds are whole question files, one writer and register each: a fold is
scored as the questions of writers the base has never read, which the held-out halves are
not (each writer's other half is attached).

Commands are left out (the router answers them, the matcher never sees them).
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.faq_quality import KB, load_questions, load_questions_by_set  # noqa: E402
from scripts.fit_faq_thresholds import (  # noqa: E402
    CrossFitted,
    _questions,
    fit,
    not_ours_without,
    without,
)
from wxapp.faq.knowledge_base import load_knowledge_base  # noqa: E402
from wxapp.faq.matcher import (  # noqa: E402
    CONFIDENCE_FEATURES,
    FEATURES,
    Calibration,
    FaqMatcher,
    load_calibration,
)


def calibration_of(fitted: dict) -> Calibration:
    model, confidence = fitted["model"], fitted["confidence"]
    return Calibration(fitted["answer_threshold"], fitted["suggest_threshold"], model["bias"],
                       tuple(model["weights"][f] for f in FEATURES),
                       fitted["medical_min_coverage"], confidence["bias"],
                       tuple(confidence["weights"][f] for f in CONFIDENCE_FEATURES),
                       fitted["max_unseen"])


def cross_validate(entries, questions, folds: int, fold_of: list[int] | None = None,
                   fixed: Calibration | None = None) -> dict:
    """``fold_of``: each question's fold (by default the i-th question's is i % folds);
    ``fixed``: weigh every fold with this calibration instead of fitting one."""
    right = ranked_first = top3 = in_scope = rejected = out_of_scope = 0
    wrong = answered_oos = 0
    if fold_of is None:
        fold_of = [i % folds for i in range(len(questions))]
    for fold in range(folds):
        train = [q for q, f in zip(questions, fold_of, strict=True) if f != fold]
        test = [q for q, f in zip(questions, fold_of, strict=True) if f == fold]
        # The questions scored are not in the base (staff attach only what they have read),
        # and the fit reads its own as strangers too (CrossFitted).
        base = without(entries, [text for text, _gold in test])
        not_ours = not_ours_without([text for text, _gold in test])
        calibration = fixed or calibration_of(fit(CrossFitted(base, train, not_ours=not_ours),
                                                  train))
        matcher = FaqMatcher.build(base, calibration=calibration, not_ours=not_ours)
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
            "right": right, "wrong": wrong, "answered_oos": answered_oos, "n": in_scope,
            "m": out_of_scope}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--by-set", action="store_true",
                        help="fold by question file: every question of a writer in one fold")
    parser.add_argument("--fixed", action="store_true",
                        help="weigh every fold with the committed thresholds.yaml (paired runs)")
    args = parser.parse_args()
    fixed = load_calibration() if args.fixed else None
    entries = load_knowledge_base(KB).entries
    runs = []
    for repeat in range(args.repeats):
        if args.by_set:
            # A new writer's questions, as a resident's next ones: nothing of her register (her
            # typos, her dialect's words) is in the base the fold's questions are read against.
            sets = list(load_questions_by_set("calibration").values())
            if repeat:
                random.Random(repeat).shuffle(sets)
            order, fold_of = [], []
            for number, data in enumerate(sets):
                asked = _questions(data)
                order += asked
                fold_of += [number % args.folds] * len(asked)
            runs.append(cross_validate(entries, order, args.folds, fold_of, fixed))
            continue
        order = _questions(load_questions("calibration"))
        if repeat:
            random.Random(repeat).shuffle(order)
        runs.append(cross_validate(entries, order, args.folds, fixed=fixed))
    scores = {key: sum(run[key] for run in runs) / len(runs) for key in runs[0]}
    times = f", mean of {args.repeats} draws" if args.repeats > 1 else ""
    times += ", folds by question file" if args.by_set else ""
    times += ", committed model" if args.fixed else ""
    print(f"calibration, {args.folds}-fold CV{times}: {scores['n']:.0f} in scope, "
          f"{scores['m']:.0f} out")
    print(f"top-1 answered {scores['top1']:.1%}, right first {scores['ranked_first']:.1%}, "
          f"top-3 {scores['top3']:.1%}, rejection {scores['rejection']:.1%} "
          f"(wrong answers {scores['wrong']:g}, out-of-scope answered {scores['answered_oos']:g})")
    # The fit's own objective (scripts/fit_faq_thresholds.py): what the product's costs say.
    print(f"answered right {scores['right']:g}; right - 3 x wrong - 4 x out-of-scope answered: "
          f"{scores['right'] - 3 * scores['wrong'] - 4 * scores['answered_oos']:g}")


if __name__ == "__main__":
    main()
