"""Hostile filter and search input: a 400, or the right rows, never others, never 500.

Words reach the database only as bound parameters (the ORM, PostgreSQL's
full-text functions); these tests hold that true through the API's filters,
the pages' search and facets, and the admin's search.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Claim, Evidence, Publication
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db

SQL = [
    "'; DROP TABLE claims_claim;--",
    "%' OR '1'='1",
    "1 OR 1=1",
    '" OR ""="',
    "1;select 1",
    "') OR ('a'='a",
    "claims_claim UNION SELECT password FROM auth_user",
]
NUL = "\x00nomatch"  # SQLite's LIKE would stop at the NUL: "%" matches all
# Text with no word of the claims (symbols are left out, as search engines do).
UNICODE_NO_WORD = ["\u202e\u200b", "日本語の腫瘍", "Ω≈ç√∫"]
WILDCARDS = ["%", "_", "%%", "__", "%_%", "\\", "*", "?"]
LONG = "nomatch " * 100


@pytest.fixture
def claims() -> dict[str, Claim]:
    """Three claims; only one holds a literal % and only one a literal _."""
    percent = EvidenceFactory(
        claim=ClaimFactory(slug="percent", statement="MSC raised growth by 50%."),
        publication=PublicationFactory(pmid=16214129, title="Growth of tumors"),
    )
    underscore = EvidenceFactory(
        claim=ClaimFactory(slug="underscore", statement="The CXCL12_CXCR4 axis."),
        publication=PublicationFactory(pmid=17914389, title="Homing of MSC"),
    )
    plain = EvidenceFactory(
        claim=ClaimFactory(slug="plain", statement="MSC home to tumors in Zürich."),
        publication=PublicationFactory(pmid=19036701, title="Plain title"),
    )
    return {e.claim.slug: e.claim for e in (percent, underscore, plain)}


def rows() -> tuple[int, int, int, int]:
    """The database is untouched: every table still there, every row too."""
    return (
        Claim.objects.count(),
        Evidence.objects.count(),
        Publication.objects.count(),
        User.objects.count(),
    )


@pytest.fixture
def api():
    return APIClient()


def api_slugs(response) -> set[str]:
    return {row["slug"] for row in response.json()["results"]}


API_LISTS = ["/api/v1/claims/", "/api/v1/evidence/", "/api/v1/publications/"]


def found_nothing(response) -> bool:
    """An empty result, or a 400 saying why q cannot be searched."""
    if response.status_code == 400:
        return set(response.json()["error"]["fields"]) == {"q"}
    return response.status_code == 200 and response.json()["results"] == []


@pytest.mark.parametrize("q", [*SQL, *UNICODE_NO_WORD])
@pytest.mark.parametrize("url", API_LISTS)
def test_sql_in_the_api_search_finds_nothing_and_changes_nothing(api, claims, url, q):
    before = rows()

    response = api.get(url, {"q": q})

    assert found_nothing(response), response.content
    assert rows() == before


@pytest.mark.parametrize("q", WILDCARDS)
def test_like_wildcards_in_the_api_search_are_refused_not_matched(api, claims, q):
    response = api.get("/api/v1/claims/", {"q": q})

    assert response.status_code == 400
    assert "Nothing to search for" in response.json()["error"]["fields"]["q"][0]


def test_symbols_beside_a_word_are_left_out(api, claims):
    response = api.get("/api/v1/claims/", {"q": "Zürich ☃ 😀"})

    assert api_slugs(response) == {"plain"}


def test_a_word_search_still_finds_its_claim(api, claims):
    response = api.get("/api/v1/claims/", {"q": "Zürich"})

    assert api_slugs(response) == {"plain"}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/claims/", {"topic": "1 OR 1=1"}),
        ("/api/v1/claims/", {"topic": "' OR '1'='1"}),
        ("/api/v1/claims/", {"status": "contested' OR '1'='1"}),
        ("/api/v1/claims/", {"pmid": "1;select"}),
        ("/api/v1/claims/", {"pmid": "16214129 OR 1=1"}),
        ("/api/v1/claims/", {"year_min": "2000 OR 1=1"}),
        ("/api/v1/claims/", {"has_conflict": "true OR 1=1"}),
        ("/api/v1/claims/", {"ordering": "slug;DROP TABLE claims_claim"}),
        ("/api/v1/claims/", {"ordering": "(SELECT 1)"}),
        ("/api/v1/claims/", {"q": LONG}),
        ("/api/v1/claims/", {"q": NUL}),
        ("/api/v1/claims/", {"cancer_type": NUL}),
        ("/api/v1/claims/", {"topic": NUL}),
        ("/api/v1/claims/", {"page_size": "1 OR 1=1"}),
        ("/api/v1/claims/", {"1 OR 1": "1"}),
        ("/api/v1/evidence/", {"claim": "percent' OR '1'='1"}),
        ("/api/v1/evidence/", {"workflow": "draft' OR '1'='1"}),
        ("/api/v1/evidence/", {"q": NUL}),
        ("/api/v1/publications/", {"pmid": "1;select"}),
        ("/api/v1/publications/", {"pmid": "-1"}),
        ("/api/v1/publications/", {"pmid": "99999999999999999999"}),
        ("/api/v1/publications/", {"q": NUL}),
        ("/api/v1/publications/", {"q": LONG}),
    ],
)
def test_malformed_api_filters_are_a_400_naming_the_parameter(api, claims, url, params):
    before = rows()

    response = api.get(url, params)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(params)
    assert rows() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/' OR '1'='1/",
        "/api/v1/claims/percent%00/",
        "/api/v1/publications/1 OR 1=1/",
        "/api/v1/publications/16214129;select/",
        "/api/v1/evidence/1 OR 1=1/",
    ],
)
def test_hostile_api_paths_are_a_4xx(api, claims, url):
    response = api.get(url)

    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"


def test_anonymous_readers_cannot_widen_evidence_to_drafts(api, claims):
    EvidenceFactory(status=Evidence.Status.DRAFT, finding="A secret draft.")

    for params in ({"workflow": "draft"}, {"q": "secret"}, {"q": "' OR 1=1 --"}):
        response = api.get("/api/v1/evidence/", params)
        findings = [row["finding"] for row in response.json().get("results", [])]
        assert "A secret draft." not in findings, params


# -- the pages ---------------------------------------------------------------------


def page_slugs(response) -> set[str]:
    return {claim.slug for claim in response.context["page"].object_list}


@pytest.mark.parametrize("q", [*SQL, *UNICODE_NO_WORD])
def test_sql_in_the_pages_search_finds_nothing_and_changes_nothing(client, claims, q):
    before = rows()

    browse = client.get("/claims/", {"q": q})
    search = client.get("/search/", {"q": q})

    assert browse.status_code in (200, 400)
    assert browse.status_code == 400 or page_slugs(browse) == set()
    assert search.status_code in (200, 400)
    if search.status_code == 200:
        results = search.context["results"]
        assert not results.found
    assert rows() == before


@pytest.mark.parametrize("q", WILDCARDS)
def test_like_wildcards_on_the_pages_are_refused_with_a_reason(client, claims, q):
    browse = client.get("/claims/", {"q": q})
    search = client.get("/search/", {"q": q})

    for response in (browse, search):
        assert response.status_code == 400
        assert "Nothing to search for" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": NUL},
        {"q": "\x00"},
        {"q": LONG},
        {"topic": "1 OR 1=1"},
        {"cancer_type": "' OR '1'='1"},
        {"topic": NUL},
        {"cancer_type": NUL},
        {"status": "contested' OR '1'='1"},
        {"year_min": "2000 OR 1=1", "year_max": "\x00"},
    ],
)
def test_hostile_page_filters_are_a_400_naming_them_never_a_500(client, claims, params):
    """A value no filter allows is refused, as the API refuses it: never a
    500, never a list that ignores it, and nothing written."""
    before = rows()

    browse = client.get("/claims/", params)
    api = client.get("/api/v1/claims/", params)

    assert browse.status_code == api.status_code == 400
    assert rows() == before
    assert "page" not in browse.context
    for name in params:
        assert f"<dt><code>{name}</code></dt>" in browse.content.decode()
    assert set(api.json()["error"]["fields"]) <= set(params)
    search = client.get("/search/", params)
    assert search.status_code == (400 if "q" in params else 200)


@pytest.mark.parametrize("page", ["1 OR 1=1", NUL])
def test_a_hostile_page_number_shows_the_first_page(client, claims, page):
    browse = client.get("/claims/", {"page": page})

    assert browse.status_code == 200
    assert page_slugs(browse) == set(claims)


def test_a_nul_in_a_page_address_is_a_404(client, claims):
    assert client.get("/claims/percent%00/").status_code == 404
    assert client.get("/topics/x%00/").status_code == 404


# -- the admin's search ------------------------------------------------------------


@pytest.fixture
def admin(client):
    client.force_login(User.objects.create_superuser("admin", password="x"))
    return client


@pytest.mark.parametrize("model", ["claim", "evidence", "publication", "topic"])
@pytest.mark.parametrize("q", [SQL[0], SQL[1], NUL, "%", "_"])
def test_the_admin_search_survives_hostile_words(admin, claims, model, q):
    before = rows()

    response = admin.get(reverse(f"admin:claims_{model}_changelist"), {"q": q})

    assert response.status_code == 200
    assert rows() == before
    if model == "claim" and q != NUL:
        found = {c.slug for c in response.context["cl"].result_list}
        assert found == {slug for slug, c in claims.items() if q in c.statement}
