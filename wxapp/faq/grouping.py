"""Group near-identical unanswered questions so staff see each gap once, with a count."""
from __future__ import annotations

from dataclasses import dataclass, field

from wxapp.faq.normalize import canonical

SAME_QUESTION = 0.5


@dataclass
class QuestionGroup:
    representative: str
    ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    grams: set[str] = field(default_factory=set)


def _grams(text: str) -> set[str]:
    joined = canonical(text).replace(" ", "")
    return {joined[i:i + 2] for i in range(len(joined) - 1)} or {joined}


def group_similar(questions: list[tuple[int, str]]) -> list[QuestionGroup]:
    groups: list[QuestionGroup] = []
    for question_id, text in questions:
        grams = _grams(text)
        home = None
        for group in groups:
            union = len(grams | group.grams)
            if union and len(grams & group.grams) / union >= SAME_QUESTION:
                home = group
                break
        if home is None:
            home = QuestionGroup(representative=text, grams=grams)
            groups.append(home)
        home.ids.append(question_id)
        if text not in home.texts:
            home.texts.append(text)
    return groups
