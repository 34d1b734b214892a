"""Rate limits for anonymous and authenticated clients.

DRF's throttles read their rates once, at import; these read
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] on every request, so the rates set by
API_THROTTLE_ANON / API_THROTTLE_USER (or a test's settings) always apply. The
counters live in Django's default cache: give production a shared cache so
every web process counts together.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _CurrentRate:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_CurrentRate, AnonRateThrottle):
    """Per client IP address, for requests without credentials."""


class UserThrottle(_CurrentRate, UserRateThrottle):
    """Per user, for requests with a token or a session."""
