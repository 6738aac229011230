"""Short-lived per-resident chat state in Redis: the last suggestions (so "2" picks the second),
the last answered question (for 有用/没用), and whether the next message is a hand-over."""
from __future__ import annotations

import json

from flask import g

from wxapp.extensions import get_redis

STATE_TTL_SECONDS = 10 * 60
_PREFETCHED = "wxapp_chat_state_prefetched"


def key_for(openid: str) -> str:
    return f"wxapp:chat:{openid}"


def use_prefetched(openid: str, raw: bytes | None) -> None:
    """The official-account endpoint reads the state with its dedupe claim (one Redis round
    trip); the next ``load`` of this request takes that copy instead of asking again."""
    g.setdefault(_PREFETCHED, {})[openid] = raw


def load(openid: str) -> dict:
    prefetched = g.get(_PREFETCHED, {})
    raw = prefetched.pop(openid) if openid in prefetched else get_redis().get(key_for(openid))
    return json.loads(raw) if raw else {}


def save(openid: str, state: dict, previous: dict | None = None) -> None:
    """Store ``state``; ``previous`` (what ``load`` returned) saves a write when unchanged."""
    g.get(_PREFETCHED, {}).pop(openid, None)
    if previous is not None and state == previous:
        return
    if state:
        get_redis().set(key_for(openid), json.dumps(state), ex=STATE_TTL_SECONDS)
    else:
        get_redis().delete(key_for(openid))
