import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils.http import http_date

from claims.models import Evidence
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/claims/",
    "/api/v1/claims/c/",
    "/api/v1/evidence/",
    "/api/v1/publications/",
    "/api/v1/topics/",
    "/api/v1/reviews/",
    "/api/v1/info",
]


@pytest.fixture
def evidence():
    return EvidenceFactory(claim=ClaimFactory(slug="c"))


@pytest.mark.parametrize("url", READS)
def test_every_read_carries_an_etag_and_last_modified(api, evidence, url):
    response = api.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"] == http_date(evidence.updated_at.timestamp())
    assert response["Cache-Control"] == "no-cache"
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize("url", READS)
def test_a_matching_etag_is_answered_304_without_a_body(api, evidence, url):
    etag = api.get(url)["ETag"]

    response = api.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_change_makes_the_old_etag_stale(api, evidence):
    etag = api.get("/api/v1/claims/")["ETag"]
    evidence.finding = "Revised."
    evidence.save()

    response = api.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_deletion_makes_the_old_etag_stale(api, evidence):
    other = EvidenceFactory()
    etag = api.get("/api/v1/evidence/")["ETag"]
    Evidence.objects.filter(pk=other.pk).delete()  # the latest change is unchanged

    response = api.get("/api/v1/evidence/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200


def test_if_modified_since_the_last_change_is_answered_304(api, evidence):
    since = http_date(evidence.updated_at.timestamp() + 1)
    before = http_date((evidence.updated_at - timedelta(seconds=5)).timestamp())

    assert api.get("/api/v1/claims/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert api.get("/api/v1/claims/", HTTP_IF_MODIFIED_SINCE=before).status_code == 200


def test_the_etag_differs_by_format_query_and_reader(api, as_editor, evidence):
    json_tag = api.get("/api/v1/claims/")["ETag"]
    csv_tag = api.get("/api/v1/claims/?format=csv")["ETag"]
    page_tag = api.get("/api/v1/claims/?page_size=1")["ETag"]
    editor_tag = as_editor.get("/api/v1/claims/")["ETag"]

    assert len({json_tag, csv_tag, page_tag, editor_tag}) == 4


def test_a_streamed_export_is_answered_304_too(api, evidence):
    etag = api.get("/api/v1/claims/?format=csv")["ETag"]

    response = api.get("/api/v1/claims/?format=csv", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_errors_carry_no_etag(api):
    response = api.get("/api/v1/claims/?status=nope")

    assert response.status_code == 400
    assert "ETag" not in response


def test_writes_carry_no_etag(as_curator):
    response = as_curator.post("/api/v1/publications/", {"pmid": 1}, format="json")

    assert response.status_code == 201
    assert "ETag" not in response


def test_anonymous_clients_are_throttled_with_a_retry_after(api, settings):
    rates = {"anon": "2/min", "user": None}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": rates,
    }

    statuses = [api.get("/api/v1/info").status_code for _ in range(3)]
    response = api.get("/api/v1/claims/")

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_authenticated_clients_have_their_own_allowance(api, as_curator, settings):
    rates = {"anon": "1/min", "user": "3/min"}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": rates,
    }
    api.get("/api/v1/info")

    assert api.get("/api/v1/info").status_code == 429
    assert [as_curator.get("/api/v1/info").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def test_throttle_rates_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    env = {"API_THROTTLE_ANON": "7/hour", "API_THROTTLE_USER": "70/hour"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert "'anon': '7/hour'" in result.stdout
    assert "'user': '70/hour'" in result.stdout
