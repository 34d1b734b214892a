"""One meaning per query parameter: the browse page, /api/v1/claims/ and the
page's export read a query string the same way (claims.filters.ClaimFilter)."""

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.facets import FACET_NAMES, TERM_FACETS
from claims.models import Claim, Evidence

pytestmark = pytest.mark.django_db

# Over the shipped review, every paper confirmed.
QUERIES = [
    "",
    "status=contested",
    "status=context_dependent",
    "delivery=co_injection",
    "level=in_vitro",
    "cancer_type=Breast%20carcinoma",
    "cancer_type=BREAST-CARCINOMA",
    "cancer_type=breast-carcinoma",
    "cancer_type=melanoma&cancer_type=glioma",
    "q=IL-6",
    "q=IL-6&level=in_vitro",
    "q=tumor&delivery=co_injection&species=human",
    "year_min=2005&year_max=2008",
    "year_min=2009&stance=refutes",
    "topic=tumor-growth-survival",
    "topic=angiogenesis&status=contested",
    "kind=existential",
    "kind=empirical&effect=anti_tumor",
    "thin=true",
    "thin=false&msc_source=bone_marrow",
    "has_conflict=true",
    "has_conflict=false&species=mouse",
    "setting=bone_marrow&retracted=false",
    "immune_status=immunodeficient&model=cell_line_xenograft",
    "q=xylophone&status=supported",
]
INVALID = [
    "status=proven",
    "year_min=soon",
    "delivery=teleport",
    "cancer_type=no-such-cancer",
    "topic=no-such-topic",
    "thin=maybe",
    "colour=red",
]


@pytest.fixture
def review(confirmed_review):
    """The shipped review, every paper confirmed by PubMed. Loading it takes
    seconds, so each test below walks a table of queries over one load."""


def page_slugs(client, query: str) -> list[str]:
    """The claims the browse page lists, read from its HTML (served from the
    page cache or not), over all its pages, in order."""
    found, number = [], 1
    while True:
        response = client.get(f"/claims/?{query}&page={number}")
        assert response.status_code == 200, response.content[:500]
        html = response.content.decode()
        found += re.findall(r'<a class="claim-link" href="/claims/([^/"]+)/">', html)
        if 'rel="next"' not in html:
            return found
        number += 1


def api_slugs(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/claims/?{query}&page_size=500")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return [claim["slug"] for claim in body["results"]]


def test_the_page_lists_exactly_the_claims_the_api_lists(client, review):
    listed = {query: api_slugs(client, query) for query in QUERIES}

    differing = [q for q in QUERIES if page_slugs(client, q) != listed[q]]

    assert differing == []
    results = {tuple(slugs) for slugs in listed.values()}
    assert len(results) >= 15
    assert () in results  # some query finds nothing
    assert len(max(results, key=len)) == Claim.objects.count()


def test_a_cancer_type_by_label_or_slug_in_any_case_is_one_filter(client, review):
    by_label = page_slugs(client, "cancer_type=Breast%20carcinoma")

    assert by_label
    assert by_label == page_slugs(client, "cancer_type=BREAST-CARCINOMA")
    assert by_label == api_slugs(client, "cancer_type=breast-carcinoma")


def test_the_page_and_the_api_both_refuse_a_bad_value_naming_it(client, review):
    for query in INVALID:
        name = query.split("=")[0]
        page = client.get(f"/claims/?{query}")
        api = client.get(f"/api/v1/claims/?{query}")

        assert page.status_code == api.status_code == 400, query
        assert list(api.json()["error"]["fields"]) == [name]
        text = page.content.decode()
        assert f"<dt><code>{name}</code></dt>" in text
        assert "Filters not understood" in text


# -- the export link ---------------------------------------------------------


def counted_evidence(client, query: str) -> set[int]:
    """The accepted records the view counts, found in Python: on the claims the
    page lists, meeting every evidence filter of the query."""
    listed = set(page_slugs(client, query))
    params = QueryDict(query)
    terms = {
        name: {v.lower().replace(" ", "-") for v in params.getlist(name)}
        for name in TERM_FACETS
        if name in params
    }
    found = set()
    accepted = Evidence.objects.accepted().select_related("claim", "publication")
    for record in accepted.prefetch_related("cancer_types"):
        year = record.publication.year
        if record.claim.slug not in listed:
            continue
        if "year_min" in params and (year is None or year < int(params["year_min"])):
            continue
        if "year_max" in params and (year is None or year > int(params["year_max"])):
            continue
        if params.get("retracted") == "false" and record.publication.is_retracted:
            continue
        if all(
            set(record.facet_value(name)) & terms[name]
            if name in terms
            else record.facet_value(name) == params[name]
            for name in FACET_NAMES
            if name in params
        ):
            found.add(record.pk)
    return found


def export_link(client, query: str) -> str:
    page = client.get(f"/claims/?{query}").content.decode()
    (href,) = re.findall(r'<p class="export"><a href="([^"]+)" download>', page)
    return unescape(href)


EXPORTED = [
    "",
    "q=IL-6&level=in_vitro",
    "delivery=co_injection&species=human",
    "status=context_dependent&stance=refutes",
    "cancer_type=Breast%20carcinoma&year_min=2005",
    "has_conflict=true&level=animal",
    "topic=tumor-growth-survival&retracted=false",
]


def test_the_export_link_gives_exactly_the_evidence_the_view_counts(client, review):
    for query in EXPORTED:
        assert_exports_what_the_view_counts(client, query)


def assert_exports_what_the_view_counts(client, query: str) -> None:
    link = export_link(client, query)
    assert urlsplit(link).path == "/api/v1/claims/evidence/"
    assert parse_qs(urlsplit(link).query)["format"] == ["csv"]

    response = client.get(link)
    rows = list(csv.DictReader(io.StringIO(b"".join(response).decode())))
    json_link = link.replace("format=csv", "page_size=500")
    records = client.get(json_link).json()["results"]

    expected = counted_evidence(client, query)
    assert expected, query
    assert {int(row["id"]) for row in rows} == expected, query
    assert len(rows) == len(expected)
    assert {record["id"] for record in records} == expected


def test_the_evidence_endpoints_q_searches_findings_the_exports_claims(client, review):
    """The difference the export link once hid: /api/v1/evidence/?q= finds
    records by their own words, the view's export every record it counts."""
    query = "q=IL-6&level=in_vitro"
    findings = client.get(f"/api/v1/evidence/?{query}&page_size=500").json()
    export = client.get(f"/api/v1/claims/evidence/?{query}&page_size=500").json()

    assert {r["id"] for r in export["results"]} == counted_evidence(client, query)
    assert {r["claim"] for r in findings["results"]} <= {
        r["claim"] for r in export["results"]
    }


# -- any combination -----------------------------------------------------------

FACET_VALUES = {
    "status": ["contested", "supported", "established", "insufficient"],
    "stance": ["supports", "refutes", "qualifies"],
    "level": ["in_vitro", "animal", "human_samples"],
    "delivery": ["co_injection", "systemic", "local"],
    "species": ["human", "mouse"],
    "msc_source": ["bone_marrow", "adipose"],
    "cancer_type": ["breast-carcinoma", "Melanoma", "multiple myeloma", "glioma"],
    "year_min": ["2000", "2006"],
    "year_max": ["2004", "2009"],
    "has_conflict": ["true", "false"],
    "thin": ["true", "false"],
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.dictionaries(
        st.sampled_from(sorted(FACET_VALUES)),
        st.integers(min_value=0, max_value=3),
        max_size=4,
    )
)
def test_any_combination_of_facet_values_lists_the_same_claims(client, review, pick):
    query = "&".join(
        f"{name}={FACET_VALUES[name][i % len(FACET_VALUES[name])]}"
        for name, i in sorted(pick.items())
    )

    assert page_slugs(client, query) == api_slugs(client, query)
