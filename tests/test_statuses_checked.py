"""The check the end-to-end and fault tests end with (tests/conftest.py)."""

import pytest

from claims.services import claims_recompute_status
from tests.conftest import statuses_checked
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def test_the_end_of_test_check_fails_a_test_that_leaves_a_verdict_drifted(request):
    evidence = EvidenceFactory()  # stored without its verdict: as a bypassed door

    with pytest.raises(pytest.fail.Exception) as failure:
        statuses_checked(request)

    assert "1 claim(s) drifted" in str(failure.value)
    assert f"{evidence.claim.slug}:" in str(failure.value)


def test_the_end_of_test_check_passes_when_verdicts_are_the_rules(request):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    claims_recompute_status(claim_ids=[claim.pk])

    statuses_checked(request)
