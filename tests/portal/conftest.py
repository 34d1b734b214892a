"""Fixtures of the portal-wide tests."""

import pytest
from django.core.cache import cache

from tests.api.conftest import UNLIMITED
from tests.conftest import statuses_checked

# Tests that end with check_statuses passing; others here forge stored
# verdicts on purpose (hostile status reasons, for the escaping tests).
STATUS_CHECKED_MODULES = {"tests.portal.test_faults"}


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """These tests send many API requests a minute; rate limits have their own."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": UNLIMITED,
    }
    cache.clear()


@pytest.fixture(autouse=True)
def _statuses_checked_at_the_end(request):
    """A killed worker or a lost broker never leaves a verdict the rules
    disagree with: the fault tests end with check_statuses."""
    yield
    if request.module.__name__ in STATUS_CHECKED_MODULES:
        statuses_checked(request)
