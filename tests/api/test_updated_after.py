"""?updated_after= on every API list: only the rows changed after the moment."""

import datetime

import pytest

from claims.models import Claim, Evidence, Publication, Review, Topic
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db

THEN = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
LISTS = [
    ("/api/v1/reviews/", Review, "slug"),
    ("/api/v1/topics/", Topic, "slug"),
    ("/api/v1/claims/", Claim, "slug"),
    ("/api/v1/evidence/", Evidence, "id"),
    ("/api/v1/publications/", Publication, "pmid"),
]


@pytest.fixture
def old_and_new():
    """Two of everything: one last changed before THEN, one after."""
    old = EvidenceFactory(status="accepted")
    new = EvidenceFactory(status="accepted")
    for record in (old, new):
        when = THEN + datetime.timedelta(days=-1 if record is old else 1)
        claim, topic = record.claim, record.claim.topic
        for model, pk in (
            (Evidence, record.pk),
            (Claim, claim.pk),
            (Topic, topic.pk),
            (Review, topic.review_id),
            (Publication, record.publication_id),
            (Publication, topic.review.publication_id),
        ):
            model.objects.filter(pk=pk).update(updated_at=when)
    return old, new


@pytest.mark.parametrize(("url", "model", "key"), LISTS)
def test_a_list_gives_only_what_changed_after_the_moment(
    api, old_and_new, url, model, key
):
    expected = set(
        model.objects.filter(updated_at__gt=THEN).values_list(key, flat=True)
    )

    for moment in ("2026-06-01T12:00:00Z", "2026-06-01T14:00:00+02:00"):
        response = api.get(url, {"updated_after": moment, "page_size": 100})
        assert response.status_code == 200, response.json()
        assert {row[key] for row in response.json()["results"]} == expected
    everything = api.get(url, {"page_size": 100}).json()["count"]
    assert 0 < len(expected) < everything


@pytest.mark.parametrize(("url", "model", "key"), LISTS)
def test_a_moment_that_is_no_date_is_a_400_naming_the_parameter(api, url, model, key):
    response = api.get(url, {"updated_after": "yesterday"})

    assert response.status_code == 400
    assert "updated_after" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "moment",
    [
        "0455-01-29T17:53:47.409874+22:27",  # an offset PostgreSQL refuses
        "2026-06-01T13:30:00+01:30",
    ],
)
def test_any_offset_python_reads_is_taken_in_utc(api, old_and_new, moment):
    response = api.get("/api/v1/topics/", {"updated_after": moment})

    assert response.status_code == 200


def test_a_moment_off_the_calendar_in_utc_is_a_400(api):
    response = api.get(
        "/api/v1/topics/", {"updated_after": "0001-01-01T00:00:00+05:00"}
    )

    assert response.status_code == 400
    assert "updated_after" in response.json()["error"]["fields"]
