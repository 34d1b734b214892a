"""Fixtures of the portal-wide tests."""

import pytest
from django.core.cache import cache

from claims.services import claims_recompute_status
from tests.api.conftest import UNLIMITED
from tests.conftest import statuses_checked
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

# Tests that end with check_statuses passing; others here forge stored
# verdicts on purpose (hostile status reasons, for the escaping tests).
STATUS_CHECKED_MODULES = {"tests.portal.test_faults"}

ZHU = 16214129
# Every kind of read: pages, API lists and details, exports, the schema.
READS = [
    "/",
    "/claims/",
    "/claims/msc-promote-growth/",
    f"/publications/{ZHU}/",
    "/search/?q=tumors",
    "/methods/",
    "/api/v1/claims/",
    "/api/v1/claims/msc-promote-growth/",
    "/api/v1/evidence/?format=csv",
    f"/api/v1/publications/{ZHU}/?format=bibtex",
    "/api/v1/info",
    "/api/schema/",
]


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


@pytest.fixture
def site():
    """A little of everything the pages and the API show."""
    evidence = EvidenceFactory(
        claim=ClaimFactory(slug="msc-promote-growth"),
        publication=PublicationFactory(pmid=ZHU, metadata_state="current"),
    )
    claims_recompute_status(claim_ids=[evidence.claim_id])  # as the services leave it
    return evidence
