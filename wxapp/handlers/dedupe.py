"""Answer each WeChat push once, across every worker, even when a worker dies mid-push.

WeChat retries a push it got no answer for within 5 seconds, up to three times, and the retry
may land on another gunicorn worker. The first worker claims the push in Redis with a pending
marker that records when it was taken; a retry that finds the answer returns it, and one that
finds the push still being handled waits briefly. A claim older than ``STALE_AFTER_SECONDS``
belongs to a worker that died (or overran WeChat's 5 s, so its answer reaches nobody): the
retry takes it over with a compare-and-set, so exactly one retry handles the push. A claim
younger than that is live and is never handled a second time.
MsgIds are unique per account only together with the sender, hence the openid in the key.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable

import redis

PENDING = b"\x00pending"
CLAIM_SECONDS = 30
REMEMBER_SECONDS = 600
# WeChat gives a push 5 s, then sends the next try; a claim that old is of no use to anyone.
STALE_AFTER_SECONDS = 5.0

# Replace the claim only if it is still the very claim the retry saw (no other retry got it
# first, and the original worker did not answer meanwhile).
_TAKE_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


def push_key(message) -> str:
    if message.type == "event":
        return f"wxapp:wx:push:{message.source}:{message.time}:{getattr(message, 'event', '')}"
    return f"wxapp:wx:push:{message.source}:{message.id}"


def _pending_marker(claimed_at: float) -> bytes:
    # Milliseconds rounded down: a claim never looks younger than it is.
    return PENDING + b":" + str(math.floor(claimed_at * 1000)).encode()


def _claimed_at(stored: bytes) -> float | None:
    """When a pending claim was taken; None for an answer (anything not pending)."""
    if not stored.startswith(PENDING):
        return None
    try:
        return int(stored[len(PENDING) + 1:]) / 1000
    except ValueError:  # a marker without a time: treat as just taken, never stale
        return float("inf")


class PushDeduplicator:
    def __init__(self, redis_client: redis.Redis, wait_seconds: float = 4.0,
                 poll_seconds: float = 0.05, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep,
                 stale_after_seconds: float = STALE_AFTER_SECONDS):
        self._redis = redis_client
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds
        # Wall-clock time, not monotonic: claims are compared across processes and machines.
        self._clock = clock
        self._sleep = sleep
        self._stale_after = stale_after_seconds

    def claim(self, key: str, *also_read: str) -> tuple[bool, list]:
        """Claim the push, and read ``also_read`` (what its handler will need) in the same
        round trip: under load each round trip, not the Redis work, is what costs."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(key, _pending_marker(self._clock()), nx=True, ex=CLAIM_SECONDS)
        for other in also_read:
            pipe.get(other)
        claimed, *values = pipe.execute()
        return bool(claimed), values

    def remember(self, key: str, reply_xml: str) -> None:
        self._redis.set(key, reply_xml.encode("utf-8"), ex=REMEMBER_SECONDS)

    def earlier_reply(self, key: str) -> str | None:
        """The reply given to the first copy of this push ("" for none), waiting briefly.

        Returns None when the first copy's worker is gone and this call has taken the push
        over: the caller handles it as if it had claimed it."""
        deadline = self._clock() + self._wait_seconds
        # Bounded by polls as well as by the clock, should the clock stand still.
        for _ in range(math.ceil(self._wait_seconds / max(self._poll_seconds, 0.001)) + 1):
            stored = self._redis.get(key)
            if stored is None:
                return ""
            claimed_at = _claimed_at(stored)
            if claimed_at is None:
                return stored.decode("utf-8")
            now = self._clock()
            if now - claimed_at >= self._stale_after and self._take_over(key, stored, now):
                return None
            if now >= deadline:
                return ""
            self._sleep(self._poll_seconds)
        return ""

    def _take_over(self, key: str, seen: bytes, now: float) -> bool:
        script = self._redis.register_script(_TAKE_OVER)
        return bool(script(keys=[key], args=[seen, _pending_marker(now), CLAIM_SECONDS]))
