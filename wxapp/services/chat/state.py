"""Short-lived per-resident chat state in Redis: the last suggestions (so "2" picks the second),
the last answered question (for 有用/没用), and whether the next message is a hand-over."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from wxapp.extensions import get_redis

STATE_TTL_SECONDS = 10 * 60
# openid -> the raw state the transport already read, for the push being handled only.
_prefetched: ContextVar[dict[str, bytes | None] | None] = ContextVar("wxapp_chat_prefetched",
                                                                      default=None)


def key_for(openid: str) -> str:
    return f"wxapp:chat:{openid}"


@contextmanager
def prefetched(openid: str, raw: bytes | None) -> Iterator[None]:
    """The official-account endpoint reads the state with its dedupe claim (one Redis round
    trip); the first ``load`` inside this block takes that copy instead of asking again."""
    token = _prefetched.set({openid: raw})
    try:
        yield
    finally:
        _prefetched.reset(token)


def load(openid: str) -> dict:
    prefetched = _prefetched.get() or {}
    raw = prefetched.pop(openid) if openid in prefetched else get_redis().get(key_for(openid))
    return json.loads(raw) if raw else {}


def save(openid: str, state: dict, previous: dict | None = None) -> None:
    """Store ``state``; ``previous`` (what ``load`` returned) saves a write when unchanged."""
    (_prefetched.get() or {}).pop(openid, None)
    if previous is not None and state == previous:
        return
    if state:
        get_redis().set(key_for(openid), json.dumps(state), ex=STATE_TTL_SECONDS)
    else:
        get_redis().delete(key_for(openid))
