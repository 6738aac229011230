"""Access tokens shared by every worker through Redis.

WeChat allows a limited number of token fetches a day and a new token retires the old one
after five minutes, so workers must not refresh on their own: one refresh runs at a time under
a Redis lock, and a worker that waited for the lock takes the token the other one stored.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# Refresh a little before WeChat's expiry so that a request never carries a dying token.
EXPIRY_MARGIN_SECONDS = 300


class AccessTokenCache:
    def __init__(self, redis_client: redis.Redis, appid: str,
                 fetch: Callable[[], tuple[str, int]]):
        self._redis = redis_client
        self._key = f"wxapp:wechat:access_token:{appid}"
        self._lock_key = f"wxapp:wechat:access_token_lock:{appid}"
        self._fetch = fetch

    def get(self) -> str:
        token = self._redis.get(self._key)
        if token:
            return token.decode()
        return self._refresh(rejected=None)

    def replace(self, rejected: str | None) -> str:
        """WeChat refused ``rejected`` (40001/42001): get a newer one, once for all workers."""
        return self._refresh(rejected=rejected)

    def _refresh(self, rejected: str | None) -> str:
        with self._redis.lock(self._lock_key, timeout=15, blocking_timeout=15):
            current = self._redis.get(self._key)
            if current and current.decode() != rejected:
                return current.decode()
            token, expires_in = self._fetch()
            ttl = max(60, int(expires_in) - EXPIRY_MARGIN_SECONDS)
            self._redis.set(self._key, token, ex=ttl)
            log.info("fetched a new WeChat access token (ttl %ss)", ttl)
            return token
