"""The v1 -> v2 report: every claim, under each rule set, from the same evidence."""

import io

import pytest
from django.core.management import call_command

from claims.models import Claim

pytestmark = pytest.mark.django_db


def report() -> list[list[str]]:
    call_command("load_review", stdout=io.StringIO())
    out = io.StringIO()
    call_command("status_rules_report", stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def test_the_report_lists_every_claim_under_v1_and_v2():
    header, *rows, summary = report()

    assert header[:5] == [
        "claim",
        "v1",
        "v2 now",
        "v2 checked confirmed",
        "v2 all confirmed",
    ]
    assert [row[0] for row in rows] == list(
        Claim.objects.order_by("topic__position", "position").values_list(
            "slug", flat=True
        )
    )
    assert summary[0].endswith(
        "claims move from v1 once PubMed confirms the checked papers."
    )


def test_claims_resting_on_candidate_pmids_alone_wait_for_pubmed():
    rows = {row[0]: row for row in report()[1:-1]}

    # Supported under v1 by a PMID seen only on third-party pages.
    drug = rows["marrow-environment-drug-resistance"]
    assert (drug[1], drug[3], drug[4]) == ("Supported", "Insufficient", "Supported")
    # Offline, nothing is confirmed: every claim waits, or is not assessed.
    assert {row[2] for row in rows.values()} == {"Insufficient", "Not assessed"}
