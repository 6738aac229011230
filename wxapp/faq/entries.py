"""One knowledge-base entry as the matcher sees it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaqEntry:
    code: str
    category: str
    question: str
    similar_questions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    answer: str = ""
    enabled: bool = True

    def texts(self) -> tuple[str, ...]:
        """Everything a resident's question may be matched against."""
        return (self.question, *self.similar_questions, *self.keywords)
