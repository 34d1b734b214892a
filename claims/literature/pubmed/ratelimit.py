"""One NCBI rate limit per API key: in Redis across hosts, else in this process."""

import hashlib
import threading
import time
from typing import Protocol

import redis
from django.conf import settings

from claims.literature.pubmed.errors import TransientNcbiError

# Space requests 6% wider than the limit: NCBI counts arrivals, and jitter
# between acquiring a slot and the request arriving can bunch requests that left
# exactly 1/rate apart. At 3/s this tolerates 60 ms of jitter; 2% (20 ms) was
# not enough on a loaded 2-core machine (bench/refresh.py saw a 429).
_SPACING = 1.06


class RateLimiter(Protocol):
    def acquire(self) -> None:
        """Block until a request may be sent."""


class LocalRateLimiter:
    """At most `rate` requests a second from this process; threads share it."""

    def __init__(self, rate: float):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = _SPACING / rate
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def acquire(self) -> None:
        """Reserve the next free slot and sleep until it; the first is immediate."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


# A token bucket of capacity 1 is wholly described by when its next token is due.
# The script reserves that token for the caller (returning how many microseconds
# to wait for it) and moves the due time one interval on, atomically. Redis's own
# clock keeps every host on the same timeline.
_BUCKET_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local due = tonumber(redis.call('GET', KEYS[1]) or now)
if due < now then due = now end
local next_due = due + interval
redis.call('SET', KEYS[1], string.format('%d', next_due),
           'PX', math.ceil((next_due - now) / 1000) + 1000)
return due - now
"""


class RedisTokenBucket:
    """A token bucket in Redis: one rate shared by every process and host."""

    def __init__(self, redis_url: str, rate: float, key: str):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.key = key
        self.interval_us = round(_SPACING * 1_000_000 / rate)
        client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=5, socket_timeout=5
        )
        self._reserve = client.register_script(_BUCKET_SCRIPT)

    def acquire(self) -> None:
        """Take the next token, sleeping until it is due."""
        try:
            wait_us = int(self._reserve(keys=[self.key], args=[self.interval_us]))
        except redis.RedisError as exc:
            raise TransientNcbiError(f"NCBI rate limiter unavailable: {exc}") from exc
        if wait_us > 0:
            time.sleep(wait_us / 1_000_000)


_limiters: dict[tuple[str, float, str], RateLimiter] = {}
_limiters_lock = threading.Lock()


def rate_limiter_from_settings() -> RateLimiter:
    """This process's NCBI limiter: 10/s with an API key, else 3/s; global through
    Redis when the broker is Redis, else local (one `ncbi` consumer keeps it global).
    """
    api_key = settings.NCBI_API_KEY
    rate = 10.0 if api_key else 3.0
    broker = settings.CELERY_BROKER_URL
    redis_url = broker if broker.startswith("redis") else ""
    owner = hashlib.sha1(api_key.encode(), usedforsecurity=False).hexdigest()
    key = f"ncbi:bucket:{owner if api_key else 'anonymous'}"
    with _limiters_lock:
        config = (redis_url, rate, key)
        if config not in _limiters:
            _limiters[config] = (
                RedisTokenBucket(redis_url, rate, key)
                if redis_url
                else LocalRateLimiter(rate)
            )
        return _limiters[config]
