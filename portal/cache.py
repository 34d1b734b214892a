"""The shared cache, failing open: with Redis down, every read is a miss.

The cache only ever saves work (cached pages and API reads, throttle counters),
so losing Redis must not fail a request. Each Redis error is read as a miss
(`get`), a no-op (`set`, `delete`) or a key not found (`incr`), and logged at
most once a minute per process. After an error the cache is not asked again for
a moment, so a Redis that hangs costs one short timeout now and then, not one
per request; after that it is tried again, and recovers without a restart.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Seconds Redis is left alone after an error before it is tried again.
RETRY_AFTER_SECONDS = 2.0
LOG_EVERY_SECONDS = 60.0


class _ErrorLog:
    """Log the first cache error, then at most one line a minute with a count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logged_at: float | None = None
        self._suppressed = 0

    def error(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if (
                self._logged_at is not None
                and now - self._logged_at < LOG_EVERY_SECONDS
            ):
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._logged_at = self._suppressed, 0, now
        logger.warning(
            "Cache unavailable, serving uncached (%s: %s); %d more errors since the "
            "last report",
            operation,
            exc,
            suppressed,
        )

    def recovered(self) -> None:
        with self._lock:
            self._logged_at, self._suppressed = None, 0
        logger.warning("Cache reachable again")


ERRORS = _ErrorLog()


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache with short timeouts, no retries, and every Redis error
    read as a miss or a no-op (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # redis-py retries a failed command three times by default: a dead Redis
        # would cost four timeouts a cache call.
        self._options = {"retry": Retry(NoBackoff(), 0), **self._options}
        self._down_until = 0.0
        self._failing = False

    def _guard(self, fallback: T, call: Callable[..., T], *args: Any) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = call(*args)
        except RedisError as exc:
            self._failed(call.__name__, exc)
            return fallback
        if self._failing:
            self._failing = False
            ERRORS.recovered()
        return result

    def _failed(self, operation: str, exc: RedisError) -> None:
        self._failing = True
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        ERRORS.error(operation, exc)

    def ping(self) -> bool:
        """Whether Redis answers now (for /readyz), whatever the last error was."""
        try:
            self._cache.get_client(write=True).ping()
        except RedisError as exc:
            self._failed("ping", exc)
            return False
        self._down_until = 0.0
        return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        value = self._guard(None, super().incr, key, delta, version)
        if value is None:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._guard(None, super().delete_many, keys, version)

    def clear(self):
        return self._guard(False, super().clear)
