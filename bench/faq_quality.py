"""FAQ answer quality on a labelled set: top-1 and top-3 accuracy, out-of-scope rejection,
and the misses.

    .venv/bin/python bench/faq_quality.py [questions.yaml] [--knowledge-base kb.yaml]

The file has `paraphrases: [{q, code}]` and `out_of_scope: [question]` (the shape of
tests/faq/data/paraphrases.yaml, the default). "Rejected" means not answered: suggestions
or an honest "I can't answer", never a confident answer.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wxapp.faq.knowledge_base import load_knowledge_base  # noqa: E402
from wxapp.faq.matcher import FaqMatcher  # noqa: E402


def evaluate(matcher: FaqMatcher, data: dict) -> dict:
    top1 = top3 = 0
    misses = []
    paraphrases = data.get("paraphrases", [])
    for item in paraphrases:
        result = matcher.match(item["q"])
        codes = [c.code for c in result.candidates]
        answered = result.best.code if result.outcome == "answered" else None
        top1 += answered == item["code"]
        top3 += item["code"] in codes[:3]
        if answered != item["code"]:
            misses.append((item["q"], item["code"], result.outcome, codes[:3],
                           round(result.confidence, 2)))
    rejected = 0
    wrongly_answered = []
    for question in data.get("out_of_scope", []):
        result = matcher.match(question)
        if result.outcome != "answered":
            rejected += 1
        else:
            wrongly_answered.append((question, result.best.code, round(result.confidence, 2)))
    n, m = len(paraphrases), len(data.get("out_of_scope", []))
    return {"n": n, "m": m, "top1": top1 / n if n else 0.0, "top3": top3 / n if n else 0.0,
            "rejection": rejected / m if m else 0.0, "misses": misses,
            "wrongly_answered": wrongly_answered}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="?",
                        default=str(ROOT / "tests/faq/data/paraphrases.yaml"))
    parser.add_argument("--knowledge-base",
                        default=str(ROOT / "wxapp/faq/data/knowledge_base.yaml"))
    args = parser.parse_args()
    kb = load_knowledge_base(Path(args.knowledge_base))
    data = yaml.safe_load(Path(args.questions).read_text(encoding="utf-8"))
    report = evaluate(FaqMatcher.build(kb.entries), data)
    print(f"paraphrases: {report['n']}  out-of-scope: {report['m']}")
    print(f"top-1 accuracy: {report['top1']:.1%}")
    print(f"top-3 accuracy: {report['top3']:.1%}")
    print(f"out-of-scope rejection: {report['rejection']:.1%}")
    for q, expected, outcome, got, conf in report["misses"]:
        print(f"  miss: {q}  expected {expected}, {outcome} {conf} {got}")
    for q, code, conf in report["wrongly_answered"]:
        print(f"  answered out-of-scope: {q} -> {code} ({conf})")


if __name__ == "__main__":
    main()
