"""Attach the labelled calibration questions to their entries in the shipped knowledge base, as
similar questions, the way staff attach residents' questions from the console.

    .venv/bin/python scripts/attach_calibration_questions.py
    .venv/bin/python scripts/fit_faq_thresholds.py      # then refit

The calibration split's out-of-scope questions go to data/not_ours.yaml, the questions the
bot knows are another office's or a doctor's.

Only the calibration split is attached (never held-out), only in-scope questions, each once
(an entry's phrasing that already reads the same is kept), as typed: slips and all (the
homophone corrector tells a slip in an attached question from a word). Each entry's attached
questions follow one comment line in its similar_questions, so the file's hand-written part
stays readable. The fit reads every attached question as a stranger (CrossFitted).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.faq_quality import KB, load_questions  # noqa: E402
from scripts.fit_faq_thresholds import _key, _questions  # noqa: E402
from wxapp.faq.knowledge_base import load_knowledge_base  # noqa: E402
from wxapp.faq.matcher import NOT_OURS_FILE, not_ours_examples  # noqa: E402

MARKER = "      # residents' wordings, attached from the labelled calibration questions"
ITEM = "      - "


def wordings_to_attach() -> dict[str, list[str]]:
    entries = {e.code: e for e in load_knowledge_base(KB).entries}
    have = {code: {_key(t) for t in e.texts()} for code, e in entries.items()}
    add: dict[str, list[str]] = {}
    for text, gold in _questions(load_questions("calibration")):
        if gold is None or _key(text) in have[gold]:
            continue
        have[gold].add(_key(text))
        add.setdefault(gold, []).append(text.strip())
    return add


def attach(lines: list[str], add: dict[str, list[str]]) -> list[str]:
    """``lines`` of the knowledge base with ``add``'s questions at the end of each entry's
    similar_questions, under the entry's one MARKER."""
    out: list[str] = []
    code, in_similar, marked = None, False, False

    def flush() -> None:
        if in_similar and add.get(code):
            if not marked:
                out.append(MARKER)
            out.extend(ITEM + json.dumps(text, ensure_ascii=False) for text in add.pop(code))

    for line in lines:
        if line.startswith("  - code: "):
            flush()
            code, in_similar, marked = line.split(": ", 1)[1].strip(), False, False
        elif line.strip() == "similar_questions:":
            in_similar = True
        elif in_similar and not line.startswith("      "):
            flush()
            in_similar = False
        marked = marked or line == MARKER
        out.append(line)
    flush()
    if add:
        raise SystemExit(f"entries without similar_questions: {sorted(add)}")
    return out


def not_ours_to_add() -> list[str]:
    """The calibration split's out-of-scope questions data/not_ours.yaml lacks."""
    have = {_key(text) for text in not_ours_examples()}
    add = []
    for text, gold in _questions(load_questions("calibration")):
        if gold is None and _key(text) not in have:
            have.add(_key(text))
            add.append(text.strip())
    return add


def add_not_ours() -> int:
    add = not_ours_to_add()
    text = NOT_OURS_FILE.read_text(encoding="utf-8").rstrip("\n") + "\n"
    text += "".join("  - " + json.dumps(question, ensure_ascii=False) + "\n" for question in add)
    NOT_OURS_FILE.write_text(text, encoding="utf-8")
    return len(add)


def main() -> None:
    print(f"{add_not_ours()} out-of-scope questions added to {NOT_OURS_FILE.name}")
    add = wordings_to_attach()
    count = sum(len(texts) for texts in add.values())
    lines = KB.read_text(encoding="utf-8").split("\n")
    KB.write_text("\n".join(attach(lines, add)), encoding="utf-8")
    load_knowledge_base(KB)  # still a valid base
    print(f"{count} questions attached")


if __name__ == "__main__":
    main()
