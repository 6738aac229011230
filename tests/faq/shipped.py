"""The shipped knowledge base, for tests of the engine on what residents will really meet."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KB_PATH = ROOT / "wxapp/faq/data/knowledge_base.yaml"


def answered(matcher, text):
    """The entry the bot answers with, or None when it only suggests or gives up."""
    result = matcher.match(text)
    return result.best.code if result.outcome == "answered" else None
