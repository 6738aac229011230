"""Answer each WeChat push once, across every worker.

WeChat retries a push it got no answer for within 5 seconds, up to three times, and the retry
may land on another gunicorn worker. The first worker claims the push in Redis; a retry that
finds the answer returns it, and one that finds the push still being handled waits briefly.
MsgIds are unique per account only together with the sender, hence the openid in the key.
"""
from __future__ import annotations

import time

import redis

PENDING = b"\x00pending"
CLAIM_SECONDS = 30
REMEMBER_SECONDS = 600


def push_key(message) -> str:
    if message.type == "event":
        return f"wxapp:wx:push:{message.source}:{message.time}:{getattr(message, 'event', '')}"
    return f"wxapp:wx:push:{message.source}:{message.id}"


class PushDeduplicator:
    def __init__(self, redis_client: redis.Redis, wait_seconds: float = 4.0,
                 poll_seconds: float = 0.05):
        self._redis = redis_client
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds

    def claim(self, key: str, *also_read: str) -> tuple[bool, list]:
        """Claim the push, and read ``also_read`` (what its handler will need) in the same
        round trip: under load each round trip, not the Redis work, is what costs."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(key, PENDING, nx=True, ex=CLAIM_SECONDS)
        for other in also_read:
            pipe.get(other)
        claimed, *values = pipe.execute()
        return bool(claimed), values

    def remember(self, key: str, reply_xml: str) -> None:
        self._redis.set(key, reply_xml.encode("utf-8"), ex=REMEMBER_SECONDS)

    def earlier_reply(self, key: str) -> str | None:
        """The reply given to the first copy of this push ("" for none), waiting briefly."""
        deadline = time.monotonic() + self._wait_seconds
        while True:
            stored = self._redis.get(key)
            if stored is None:
                return ""
            if stored != PENDING:
                return stored.decode("utf-8")
            if time.monotonic() >= deadline:
                return ""
            time.sleep(self._poll_seconds)
