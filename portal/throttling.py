"""Rate limits for anonymous and authenticated clients, on the API and the
reader's pages alike (claims.pages.page_cache).

DRF's throttles read their rates once, at import, and keep a list of request
times that each web process reads, changes and writes back: two processes let
the same request through (156 requests in 30 s passed a limit of 120 a minute).
These read REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] on every request, so the
rates set by API_THROTTLE_ANON / API_THROTTLE_USER (or a test's settings) always
apply, and count in fixed windows with the cache's atomic add and incr: every
web process sharing the cache (CACHE_URL) counts together. A client is its
address as portal.proxies.client_ip sees it. When the cache cannot count (Redis
down), requests pass: the portal reads unthrottled rather than not at all.
"""

import math
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from portal.proxies import client_ip


def window_count(key: str, seconds: int) -> int | None:
    """Count one request in `key`'s window; None when the cache cannot count."""
    # Kept twice the window, so it never expires (and restarts) inside it.
    if cache.add(key, 1, 2 * seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # evicted since the add, or the cache is unavailable
        return None


class _FixedWindow:
    scope: str
    rate: str | None
    num_requests: int
    duration: int
    cache_format = "throttle:%(scope)s:%(ident)s"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        count = window_count(f"{key}:{window}", self.duration)
        self.wait_seconds = math.ceil((window + 1) * self.duration - now)
        return count is None or count <= self.num_requests

    def wait(self) -> int:
        return max(1, self.wait_seconds)


class AnonThrottle(_FixedWindow, AnonRateThrottle):
    """Per client IP address, for requests without credentials."""


class UserThrottle(_FixedWindow, UserRateThrottle):
    """Per user, for requests with a token or a session."""


class PageThrottle(_FixedWindow, SimpleRateThrottle):
    """Per client IP address, at the anonymous rate, counted with the API's
    anonymous requests: the pages show every reader the same, and asking who
    is signed in would read the session and make every page vary on Cookie."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


def throttle_wait(request) -> int | None:
    """Seconds a client over its page rate must wait, or None."""
    throttle = PageThrottle()
    return None if throttle.allow_request(request, None) else throttle.wait()
