"""Query counts stay constant as pages and data grow (no N+1 anywhere)."""

import pytest

from claims.curation import CURATOR_GROUP
from claims.models import Evidence
from tests.api.conftest import client_for
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AUTHORS = [
    {"last_name": "Karnoub", "fore_name": "Antoine E", "initials": "AE"},
    {"collective_name": "MSC Consortium"},
]


def populate(size: int) -> None:
    """`size` topics, claims and papers, with accepted and draft evidence."""
    review = ReviewFactory(slug="review")
    curator = UserFactory(username="owner", groups=[CURATOR_GROUP])
    for n in range(size):
        topic = TopicFactory(review=review, slug=f"topic-{n}")
        claim = ClaimFactory(topic=topic, slug=f"claim-{n}")
        paper = PublicationFactory(pmid=1000 + n, authors=AUTHORS)
        EvidenceFactory(claim=claim, publication=paper, cancer_types=["glioma"])
        EvidenceFactory(claim=claim, publication=paper, stance="refutes")
        EvidenceFactory(
            claim=claim, status=Evidence.Status.DRAFT, created_by=curator, rating=1
        )


# Anonymous: the data version, then count + page (lists) or the object (+ its
# evidence for a claim); then each extra value of the page, record or export
# chunk (claims.exports.plans): a review's topics, a topic's claims, a claim's
# counts, evidence's cancer types.
READS = {
    "/api/v1/reviews/?page_size=500": 4,
    "/api/v1/reviews/review/": 3,
    "/api/v1/topics/?page_size=500": 4,
    "/api/v1/topics/topic-0/": 3,
    "/api/v1/claims/?page_size=500": 4,
    "/api/v1/claims/claim-0/": 4,
    "/api/v1/evidence/?page_size=500": 4,
    "/api/v1/evidence/{evidence}/": 3,
    "/api/v1/publications/?page_size=500": 3,
    "/api/v1/publications/1000/": 2,
    "/api/v1/info": 4,
    "/api/v1/claims/?format=csv": 3,
    "/api/v1/evidence/?format=csv": 3,
    "/api/v1/publications/?format=bibtex": 2,
    "/api/v1/claims/?stance=refutes&has_conflict=true&q=tumors&page_size=500": 4,
}
# A token costs one query for the token and user, two for the user's roles.
AUTHENTICATED = 3


def body(response) -> bytes:
    return (
        b"".join(response.streaming_content) if response.streaming else response.content
    )


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize(("url", "queries"), READS.items())
def test_reads_take_a_fixed_number_of_queries(
    api, django_assert_max_num_queries, url, queries, size
):
    populate(size)
    url = url.format(evidence=Evidence.objects.accepted().first().pk)

    with django_assert_max_num_queries(queries):
        response = api.get(url)
        assert response.status_code == 200
        assert body(response)  # a streamed export queries as it is read


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize(
    ("url", "queries"),
    [(url, queries) for url, queries in READS.items() if "evidence" in url],
)
def test_a_curators_reads_take_a_fixed_number_of_queries(
    django_assert_max_num_queries, url, queries, size
):
    populate(size)
    client = client_for(UserFactory(username="owner"))
    url = url.format(evidence=Evidence.objects.accepted().first().pk)

    with django_assert_max_num_queries(queries + AUTHENTICATED):
        response = client.get(url)
        assert response.status_code == 200
        assert body(response)


def test_a_page_of_many_records_takes_as_many_queries_as_a_page_of_two(
    api, django_assert_num_queries
):
    EvidenceFactory.create_batch(40)

    with django_assert_num_queries(4):
        small = api.get("/api/v1/evidence/?page_size=2")
    with django_assert_num_queries(4):
        large = api.get("/api/v1/evidence/?page_size=500")

    assert len(small.json()["results"]) == 2
    assert len(large.json()["results"]) == 40
