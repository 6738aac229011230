"""What the bot would answer a question, now and with an entry edited but not yet saved.

Read-only by design: nothing is logged, no hit is counted, and the live index (the one every
worker serves residents from) is never touched. An unsaved edit is tried on a throwaway
matcher built from the live entries with the edited one in its place; a few such matchers are
kept, so that trying several questions against one edit builds it once.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from wxapp.faq.entries import FaqEntry
from wxapp.faq.intents import route
from wxapp.faq.knowledge_base import fill_placeholders
from wxapp.faq.matcher import FaqMatcher
from wxapp.faq.normalize import question_form
from wxapp.services.faq.bot import placeholder_values
from wxapp.services.faq.commands import command_reply
from wxapp.services.faq.live_index import get_index

OVERLAYS_KEPT = 8
_lock = threading.Lock()
# (id of the live matcher, edited entry, code it replaces) -> (live matcher, overlay matcher).
# The live matcher is kept beside its id so that a recycled id never matches a stale overlay.
_overlays: OrderedDict = OrderedDict()


@dataclass(frozen=True)
class TrialAnswer:
    outcome: str  # answered / suggested / not_answered / command
    confidence: float
    code: str | None = None
    question: str | None = None
    answer: str = ""
    suggestions: list[dict] = field(default_factory=list)
    intent: str | None = None


def _answer_with(matcher: FaqMatcher, text: str) -> TrialAnswer:
    intent = route(text)
    if intent is not None:
        # The router takes commands before the knowledge base is asked, as the bot does.
        return TrialAnswer("command", 1.0, intent=intent, answer=command_reply(intent))
    result = matcher.match(text, limit=3)
    suggestions = [{"code": c.code, "question": c.question, "confidence": c.confidence}
                   for c in result.candidates]
    if result.outcome == "answered":
        entry = matcher.entry(result.best.code)
        answer = fill_placeholders(entry.answer, placeholder_values(entry.answer))
        return TrialAnswer("answered", result.confidence, entry.code, entry.question, answer,
                           suggestions[1:])
    return TrialAnswer(result.outcome, result.confidence, suggestions=suggestions
                       if result.outcome == "suggested" else [])


def _overlay(live: FaqMatcher, edited: FaqEntry | None, replaces: str | None) -> FaqMatcher:
    key = (id(live), edited, replaces)
    with _lock:
        found = _overlays.get(key)
        if found is not None and found[0] is live:
            _overlays.move_to_end(key)
            return found[1]
    entries = [e for e in live.entries if e.code not in {replaces, edited and edited.code}]
    if edited is not None and edited.enabled:
        entries.append(edited)
    overlay = FaqMatcher.build(entries, live.calibration, not_ours=live.not_ours_questions)
    with _lock:
        _overlays[key] = (live, overlay)
        while len(_overlays) > OVERLAYS_KEPT:
            _overlays.popitem(last=False)
    return overlay


def answer_now(text: str) -> TrialAnswer:
    """What residents are answered today (the live index), without logging the question."""
    return _answer_with(get_index().matcher, text)


def answer_with_edit(text: str, edited: FaqEntry | None, replaces: str | None) -> TrialAnswer:
    """What residents would be answered once ``edited`` is saved in place of the entry
    ``replaces`` (None: a new entry)."""
    return _answer_with(_overlay(get_index().matcher, edited, replaces), text)


def closest_entries(text: str, limit: int = 3) -> list[dict]:
    """The entries the bot finds nearest to ``text``, best first, even when it would not
    answer with any of them: staff pick where an unanswered question belongs from these."""
    matcher = get_index().matcher
    result = matcher.match(text, limit=limit)
    chosen = [{"code": c.code, "question": c.question, "confidence": c.confidence}
              for c in result.candidates]
    if len(chosen) < limit:
        seen = {c["code"] for c in chosen}
        for number, _score in matcher.ranked(question_form(text), top=limit * 2):
            entry = matcher.entries[number]
            if entry.code not in seen and len(chosen) < limit:
                seen.add(entry.code)
                chosen.append({"code": entry.code, "question": entry.question,
                               "confidence": None})
    return chosen
