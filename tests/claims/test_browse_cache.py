"""Cached pages, and the pages' conditional GETs, follow every change to the data."""

import pytest
from django.utils.http import http_date, parse_http_date

from claims import curation
from claims.curation import EDITOR_GROUP
from claims.freshness import data_version
from claims.literature import citations
from claims.models import Evidence, Publication
from claims.services import claims_recompute_status
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    UserFactory,
)

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


# Every reader's page answers conditional GETs from the data version.

ZHU = 16214129  # a paper the fake E-utilities server knows


@pytest.fixture
def shown():
    """A claim, its topic, and a paper it cites, so every page shows some data."""
    claim = ClaimFactory(slug="c", statement="MSC feed tumors.")
    EvidenceFactory(claim=claim, publication=PublicationFactory(pmid=ZHU))
    return claim


def pages(claim) -> list[str]:
    return [
        "/",
        "/claims/",
        "/claims/?delivery=co_injection",
        f"/claims/{claim.slug}/",
        f"/topics/{claim.topic.slug}/",
        f"/publications/{ZHU}/",
        "/search/?q=tumors",
        "/methods/",
    ]


PAGE_INDEXES = range(8)


@pytest.mark.parametrize("index", PAGE_INDEXES)
def test_every_page_sends_an_etag_and_last_modified(client, shown, index):
    response = client.get(pages(shown)[index])

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"] == http_date(
        data_version().last_change.timestamp()
    )
    # Asked again before each use: never a copy guessed fresh after a write.
    assert response["Cache-Control"] == "no-cache"
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize("index", PAGE_INDEXES)
def test_a_current_etag_is_answered_304_without_a_body(client, shown, index):
    url = pages(shown)[index]
    etag = client.get(url)["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "Last-Modified" in response


@pytest.mark.parametrize("index", PAGE_INDEXES)
def test_a_page_is_answered_304_when_not_modified_since(client, shown, index):
    url = pages(shown)[index]
    last_modified = client.get(url)["Last-Modified"]

    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 5)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@pytest.mark.parametrize("index", PAGE_INDEXES)
def test_head_answers_like_get(client, shown, index):
    url = pages(shown)[index]
    etag = client.get(url)["ETag"]

    head = client.head(url)

    assert head.status_code == 200
    assert head["ETag"] == etag
    assert client.head(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(
    "header", ['"unterminated', "W/", "garbage, ,,", '"a" "b"', "*x", "\x00"]
)
def test_a_malformed_if_none_match_gets_the_whole_page(client, shown, header):
    response = client.get("/claims/c/", HTTP_IF_NONE_MATCH=header)

    assert response.status_code == 200
    assert b"MSC feed tumors." in response.content


def test_a_malformed_if_modified_since_gets_the_whole_page(client, shown):
    response = client.get("/", HTTP_IF_MODIFIED_SINCE="yesterday-ish")

    assert response.status_code == 200


def test_a_failed_if_match_is_answered_412(client, shown):
    assert client.get("/claims/c/", HTTP_IF_MATCH='"stale"').status_code == 412


def test_a_logged_in_reader_is_shown_the_same_page_under_the_same_etag(client, shown):
    anonymous = client.get("/claims/c/")
    client.force_login(UserFactory())

    logged_in = client.get("/claims/c/")

    assert logged_in["ETag"] == anonymous["ETag"]
    assert logged_in.content == anonymous.content


def test_a_page_and_the_api_at_the_same_data_have_different_etags(client, shown):
    assert client.get("/claims/c/")["ETag"] != client.get("/api/v1/claims/c/")["ETag"]


def edit_claim(claim) -> None:
    editor = UserFactory(groups=[EDITOR_GROUP])
    curation.claim_update(claim=claim, by=editor, statement="MSC starve tumors.")


def accept_evidence(claim) -> None:
    submitted = EvidenceFactory(claim=claim, status=Evidence.Status.SUBMITTED)
    curation.evidence_accept(evidence=submitted, by=UserFactory(groups=[EDITOR_GROUP]))


def refresh_paper(claim) -> None:
    citations.publications_refresh(pmids=[ZHU])


@pytest.mark.parametrize("change", [edit_claim, accept_evidence, refresh_paper])
@pytest.mark.parametrize("index", PAGE_INDEXES)
def test_after_any_write_an_old_etag_gets_the_new_page(
    client, shown, fake_eutils, fast_rate, change, index
):
    url = pages(shown)[index]
    before = client.get(url)

    change(shown)

    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_a_cached_page_shows_an_edited_claim_at_once(client, shown):
    assert b"MSC feed tumors." in client.get("/claims/c/").content
    assert (
        b"MSC feed tumors." in client.get("/topics/" + shown.topic.slug + "/").content
    )

    edit_claim(shown)

    assert b"MSC starve tumors." in client.get("/claims/c/").content
    assert b"MSC starve tumors." in client.get(f"/topics/{shown.topic.slug}/").content


def test_a_cached_publication_page_shows_a_refresh_at_once(
    client, shown, fake_eutils, fast_rate
):
    Publication.objects.filter(pmid=ZHU).update(journal="Stale Journal")
    assert b"Stale Journal" in client.get(f"/publications/{ZHU}/").content

    refresh_paper(shown)

    page = client.get(f"/publications/{ZHU}/").content
    assert b"Stale Journal" not in page


def test_with_the_cache_down_pages_still_answer_304s(client, shown, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/claims/c/")

    assert response.status_code == 200
    assert (
        client.get("/claims/c/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    )
