"""Fixtures of the portal-wide tests."""

import pytest
from django.core.cache import cache

from tests.api.conftest import UNLIMITED


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """These tests send many API requests a minute; rate limits have their own."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": UNLIMITED,
    }
    cache.clear()
