"""The browse page's cached facet counts follow every change to the data."""

import pytest

from claims.models import Evidence
from claims.services import claims_recompute_status
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def option(client, name: str, value: str, **params) -> str:
    """The text of one facet option on /claims/, or '' when it is not offered."""
    page = client.get("/claims/", params).content.decode()
    select = page.find(f'id="f-{name}"')
    options = page[select : page.find("</select>", select)]
    start = options.find(f'<option value="{value}"')
    return "" if start < 0 else options[start : options.find("</option>", start)]


def test_a_new_record_shows_in_the_facet_counts_at_once(client):
    claim = ClaimFactory(slug="c")
    EvidenceFactory(claim=claim, delivery="co_injection")
    assert "(1)" in option(client, "delivery", "co_injection")
    assert option(client, "delivery", "systemic") == ""

    EvidenceFactory(claim=ClaimFactory(slug="d"), delivery="systemic")

    assert "(1)" in option(client, "delivery", "systemic")


def test_an_edited_record_moves_between_facet_values_at_once(client):
    evidence = EvidenceFactory(claim=ClaimFactory(slug="c"), delivery="local")
    assert "(1)" in option(client, "delivery", "local")

    evidence.delivery = "systemic"
    evidence.save()

    assert option(client, "delivery", "local") == ""
    assert "(1)" in option(client, "delivery", "systemic")


def test_a_rejected_record_leaves_the_facet_counts_at_once(client):
    evidence = EvidenceFactory(claim=ClaimFactory(slug="c"), delivery="local")
    assert "(1)" in option(client, "delivery", "local")

    evidence.status = Evidence.Status.REJECTED
    evidence.save()

    assert option(client, "delivery", "local") == ""


def test_a_deleted_record_leaves_the_facet_counts_at_once(client):
    claim = ClaimFactory(slug="c")
    EvidenceFactory(claim=claim, delivery="local")
    gone = EvidenceFactory(claim=ClaimFactory(slug="d"), delivery="local")
    assert "(2)" in option(client, "delivery", "local")

    Evidence.objects.filter(pk=gone.pk).delete()

    assert "(1)" in option(client, "delivery", "local")


def test_a_status_change_moves_the_claim_between_status_counts_at_once(client):
    claim = ClaimFactory(slug="c")
    for _ in range(3):
        EvidenceFactory(claim=claim, publication=PublicationFactory())
    claims_recompute_status(claim_ids=[claim.pk])
    assert "(1)" in option(client, "status", "established")

    EvidenceFactory(claim=claim, stance="refutes")
    claims_recompute_status(claim_ids=[claim.pk])

    assert option(client, "status", "established") == ""
    assert "(1)" in option(client, "status", "contested")


def test_a_cached_claim_page_shows_new_evidence_at_once(client):
    claim = ClaimFactory(slug="c")
    EvidenceFactory(claim=claim, finding="The first finding.")
    assert b"The first finding." in client.get("/claims/c/").content

    EvidenceFactory(claim=claim, finding="A second finding.")

    assert b"A second finding." in client.get("/claims/c/").content


def test_a_cached_claim_page_shows_a_retraction_at_once(client):
    evidence = EvidenceFactory(claim=ClaimFactory(slug="c"))
    assert b"Not counted: on a retracted paper" not in client.get("/claims/c/").content

    paper = evidence.publication
    paper.is_retracted = True
    paper.save()

    assert b"Not counted: on a retracted paper" in client.get("/claims/c/").content


def test_a_cached_page_is_not_served_for_another_claim(client):
    EvidenceFactory(claim=ClaimFactory(slug="c", statement="Claim one."))
    EvidenceFactory(claim=ClaimFactory(slug="d", statement="Claim two."))

    assert b"Claim one." in client.get("/claims/c/").content
    assert b"Claim two." in client.get("/claims/d/").content
    assert client.get("/claims/e/").status_code == 404
