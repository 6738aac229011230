"""Short-lived per-resident chat state in Redis: the last suggestions (so "2" picks the second),
the last answered question (for 有用/没用), and whether the next message is a hand-over."""
from __future__ import annotations

import json

from wxapp.extensions import get_redis

STATE_TTL_SECONDS = 10 * 60


def _key(openid: str) -> str:
    return f"wxapp:chat:{openid}"


def load(openid: str) -> dict:
    raw = get_redis().get(_key(openid))
    return json.loads(raw) if raw else {}


def save(openid: str, state: dict, previous: dict | None = None) -> None:
    """Store ``state``; ``previous`` (what ``load`` returned) saves a write when unchanged."""
    if previous is not None and state == previous:
        return
    if state:
        get_redis().set(_key(openid), json.dumps(state), ex=STATE_TTL_SECONDS)
    else:
        get_redis().delete(_key(openid))
