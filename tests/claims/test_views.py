"""The reader's pages: what they show, what they hide, and what they cost."""

import datetime
import re
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, Evidence, Publication
from claims.services import claims_recompute_status
from claims.status_rules import (
    RATING_RUBRIC,
    RULES,
    RULES_VERSION,
    ClaimKind,
    ClaimStatus,
)
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
# The review's claim with counted papers on both sides, which MSC delivery
# separates.
CONFLICTED = "bm-msc-promote-primary-tumor-growth"
RETRACTED_PMID = 15833829


@pytest.fixture
def review(confirmed_review):
    """The shipped review, every paper confirmed by PubMed."""


def text(response) -> str:
    return response.content.decode()


def main(response) -> str:
    """The page's <main> element: its content, not its title or navigation."""
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def words(response) -> str:
    """The main content as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", main(response)).split())


def contested_claim(**claim_fields) -> Claim:
    """A claim whose two supporting and two refuting papers differ in delivery."""
    claim = ClaimFactory(**claim_fields)
    for year in (2005, 2006):
        EvidenceFactory(
            claim=claim,
            publication=PublicationFactory(year=year),
            delivery="co_injection",
            immune_status="immunodeficient",
        )
    for year in (2009, 2010):
        EvidenceFactory(
            claim=claim,
            publication=PublicationFactory(year=year),
            stance="refutes",
            effect="anti_tumor",
            delivery="systemic",
            immune_status="immunodeficient",
        )
    claims_recompute_status(claim_ids=[claim.pk])
    claim.refresh_from_db()
    return claim


# -- home ------------------------------------------------------------------------


def test_home_shows_the_review_summary_topics_and_claims_by_status(client, review):
    response = client.get("/")

    page = text(response)
    assert response.status_code == 200
    assert "Bone marrow-derived mesenchymal stem cells and the tumor" in page
    assert "Bergfeld and DeClerck review how bone marrow-derived" in page
    assert "MSC identity and definition" in page
    assert f"All {Claim.objects.count()} claims by status" in page
    counts = {
        status: Claim.objects.filter(status=status).count()
        for status in ClaimStatus.values
    }
    assert f'<span class="n">{counts["supported"]}</span> Supported' in page
    assert 'href="/claims/?status=context_dependent"' in page
    assert f'href="/claims/{CONFLICTED}/"' in page  # under "Where studies disagree"


def test_home_says_how_many_cited_papers_await_verification(client):
    EvidenceFactory()
    EvidenceFactory(publication__metadata_state=Publication.MetadataState.PENDING)

    page = words(client.get("/"))

    assert "1 of 2 cited papers await verification by PubMed." in page


def test_home_says_nothing_of_verification_once_every_paper_is_confirmed(client):
    EvidenceFactory()

    assert "await verification" not in words(client.get("/"))


def test_home_without_a_review_says_how_to_load_one(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "load_review" in text(response)


# -- browse ----------------------------------------------------------------------


def test_browse_lists_every_claim_with_its_status_and_paper_counts(client):
    claim = contested_claim(statement="MSC feed tumors.")
    ClaimFactory(statement="MSC home to wounds.")

    page = main(client.get("/claims/"))

    assert "2 claims" in page
    assert "MSC feed tumors." in page
    assert "MSC home to wounds." in page
    assert "Context-dependent" in page
    assert "Papers: 2 supporting, 2 refuting; 4 in vivo" in page
    assert f'href="/claims/{claim.slug}/"' in page


def test_browse_filters_by_status_and_marks_the_choice(client):
    contested_claim(statement="MSC feed tumors.")
    ClaimFactory(statement="MSC home to wounds.")

    page = main(client.get("/claims/", {"status": "context_dependent"}))

    assert "MSC feed tumors." in page
    assert "MSC home to wounds." not in page
    assert '<option value="context_dependent" selected>' in page
    assert "Remove filter Status: Context-dependent" in page


def test_browse_filters_by_a_context_facet_and_the_year_range(client):
    contested_claim(statement="MSC feed tumors.")
    other = ClaimFactory(statement="MSC home to wounds.")
    EvidenceFactory(
        claim=other, delivery="local", publication=PublicationFactory(year=2008)
    )

    systemic = main(client.get("/claims/", {"delivery": "systemic"}))
    late = main(client.get("/claims/", {"year_min": "2007"}))
    early = main(client.get("/claims/", {"year_max": "2004"}))

    assert "MSC feed tumors." in systemic
    assert "MSC home to wounds." not in systemic
    assert "MSC feed tumors." in late
    assert "MSC home to wounds." in late
    assert "MSC feed tumors." not in early
    assert "No claim matches" in early


def test_browse_picks_cancer_types_with_checkboxes_and_finds_claims_with_any(client):
    glioma = ClaimFactory(statement="MSC feed gliomas.")
    EvidenceFactory(claim=glioma, cancer_types=["glioma"])
    melanoma = ClaimFactory(statement="MSC feed melanomas.")
    EvidenceFactory(claim=melanoma, cancer_types=["melanoma"])
    ClaimFactory(statement="MSC feed nothing.")

    page = main(client.get("/claims/?cancer_type=glioma&cancer_type=melanoma"))
    one = main(client.get("/claims/", {"cancer_type": "melanoma"}))

    assert "MSC feed gliomas." in page
    assert "MSC feed melanomas." in page
    assert "MSC feed nothing." not in page
    assert (
        '<input type="checkbox" name="cancer_type" value="melanoma" checked> '
        'Melanoma (1) <span class="term-id">NCIT:C3224</span>'
    ) in page
    # Each chosen cancer type's chip drops that one only.
    assert 'href="?cancer_type=glioma" aria-label="Remove filter Cancer type: ' in page
    assert "MSC feed gliomas." not in one


def test_browse_shows_a_choices_ontology_identifier_beside_its_label(client):
    EvidenceFactory(species="human")

    page = main(client.get("/claims/"))

    assert 'title="NCBITaxon:9606">Human (1) · NCBITaxon:9606</option>' in page


def test_a_claim_page_lists_each_cancer_type_with_its_identifier(client):
    evidence = EvidenceFactory(cancer_types=["melanoma", "insulinoma"])

    page = main(client.get(f"/claims/{evidence.claim.slug}/"))

    assert (
        '<li>Melanoma <a class="term-id" '
        'href="http://purl.obolibrary.org/obo/NCIT_C3224" rel="external">'
        "NCIT:C3224</a></li>"
    ) in page
    assert "<li>Insulinoma</li>" in page


def test_browse_searches_words_in_statements_and_findings(client):
    claim = ClaimFactory(statement="MSC home to wounds.")
    EvidenceFactory(claim=claim, finding="Cells reached the gliomas.")
    ClaimFactory(statement="MSC feed tumors.")

    page = main(client.get("/claims/", {"q": "gliomas"}))

    assert "MSC home to wounds." in page
    assert "MSC feed tumors." not in page
    assert 'value="gliomas"' in page


def test_browse_answers_values_no_choice_allows_with_a_400_naming_them(client):
    ClaimFactory(statement="MSC home to wounds.")

    response = client.get(
        "/claims/", {"status": "proven", "year_min": "x", "colour": "red", "page": "2"}
    )

    assert response.status_code == 400
    page = words(response)
    assert "MSC home to wounds." not in page
    assert "status Select a valid choice. proven is not one of" in page
    assert "year_min Enter a whole number." in page
    assert "colour Unknown parameter." in page
    assert "page" not in page.split("Show all claims")[0].replace("this page", "")
    assert "<title>Filters not understood · MSC evidence portal</title>" in text(
        response
    )


def test_browse_links_a_csv_export_with_the_same_filters(client):
    contested_claim()

    page = main(client.get("/claims/", {"delivery": "systemic", "q": "bone marrow"}))

    expected = (
        "/api/v1/claims/evidence/?format=csv&amp;delivery=systemic&amp;q=bone+marrow"
    )
    assert f'href="{expected}"' in page


def test_browse_facets_offer_only_values_found_with_their_claim_counts(client, review):
    page = main(client.get("/claims/", {"status": "context_dependent"}))

    selected = '<option value="context_dependent" selected>Context-dependent (1)'
    assert f"{selected}</option>" in page
    assert '<option value="animal">Animal model (1)</option>' in page
    assert 'value="clinical"' not in page


# -- claim -----------------------------------------------------------------------


def test_claim_page_shows_status_reason_rule_and_evidence(client):
    claim = contested_claim(statement="MSC feed tumors.")

    page = main(client.get(f"/claims/{claim.slug}/"))

    assert "<h1" in page
    assert "MSC feed tumors." in page
    assert "Context-dependent" in page
    assert escape(claim.status_reason) in page
    assert 'href="/methods/#rule-R3"' in page
    assert "rule R3" in page
    assert page.count('<tr class="row-') == 4
    assert page.count('<tbody class="paper-group">') == 4
    assert "Co-injection with tumor cells" in page
    assert "Systemic injection" in page


def test_claim_page_explains_which_context_separates_the_sides(client):
    claim = contested_claim()

    page = main(client.get(f"/claims/{claim.slug}/"))

    assert "Why studies disagree" in page
    assert "MSC delivery separates 4 of 4 papers." in page
    assert "Supporting papers: 2 of 2 co-injection with tumor cells." in page
    assert "Refuting papers: 2 of 2 systemic injection." in page
    assert '<tr class="separates">' in page


def test_contested_claims_of_the_review_get_the_disagreement_panel(client, review):
    conflicted = words(client.get(f"/claims/{CONFLICTED}/"))

    assert "Why studies disagree" in conflicted
    assert "MSC delivery separates 4 of 5 papers." in conflicted
    assert (
        "Exceptions: Ohlsson 2003 (refutes, co-injection with tumor cells)."
        in conflicted
    )


def test_claims_not_in_dispute_have_no_disagreement_panel(client):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    claims_recompute_status(claim_ids=[claim.pk])

    page = main(client.get(f"/claims/{claim.slug}/"))

    assert "Supported" in page
    assert "Why studies disagree" not in page


def test_claim_page_draws_accessible_charts_with_a_table_alternative(client):
    claim = contested_claim()

    page = main(client.get(f"/claims/{claim.slug}/"))

    assert page.count('role="img"') == 2
    assert '<title id="balance-title">' in page
    assert '<desc id="balance-desc">' in page
    assert "Supports: 2 papers, 2 pro-tumor; Refutes: 2 papers, 2 anti-tumor" in page
    assert "2005: 1 supporting, 0 refuting" in page
    assert "2009: 0 supporting, 1 refuting" in page
    assert '<th scope="row">2009</th><td>0</td><td>1</td>' in page


def test_retracted_papers_are_marked_struck_and_not_counted(client):
    claim = contested_claim()
    EvidenceFactory(
        claim=claim,
        stance="refutes",
        publication=PublicationFactory(is_retracted=True),
        finding="A retracted refutation.",
    )
    claims_recompute_status(claim_ids=[claim.pk])

    response = client.get(f"/claims/{claim.slug}/")

    assert "<s>A retracted refutation.</s>" in text(response)
    page = words(response)
    assert "Not counted: on a retracted paper" in page
    assert "Counted papers 4 Supporting 2 Refuting 2" in page
    assert "1 record not counted: 1 on a retracted paper" in page
    assert "Refutes: 2 papers" in page


def test_papers_awaiting_verification_are_listed_and_not_counted(client):
    claim = contested_claim()
    paper = PublicationFactory(
        metadata_state=Publication.MetadataState.PENDING,
        verification=Publication.Verification.UNVERIFIED,
        first_author="Pending",
        year=2011,
    )
    EvidenceFactory(claim=claim, publication=paper, finding="Not yet fetched.")
    claims_recompute_status(claim_ids=[claim.pk])

    page = words(client.get(f"/claims/{claim.slug}/"))

    assert "Pending 2011" in page
    assert "Awaiting verification Not yet fetched from PubMed; not counted." in page
    assert "Counted papers 4 Supporting 2" in page
    assert "1 awaiting verification: not yet fetched from PubMed" in page


def test_a_verdict_on_one_paper_is_marked_thin(client):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, level="in_vitro")
    claims_recompute_status(claim_ids=[claim.pk])

    page = words(client.get(f"/claims/{claim.slug}/"))

    assert "Supported Thin evidence" in page
    assert "In vivo 0 Human 0 Mean rating 3.0/5" in page


def test_a_recommendation_shows_no_evidence_status(client):
    claim = ClaimFactory(kind="recommendation")
    EvidenceFactory(claim=claim)
    claims_recompute_status(claim_ids=[claim.pk])

    page = words(client.get(f"/claims/{claim.slug}/"))

    assert "Not assessed" in page
    assert "Kind: recommendation" in page
    assert "Not assessed: a recommendation" in page


def test_evidence_not_accepted_is_not_shown(client):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, finding="A draft.", status=Evidence.Status.DRAFT)
    EvidenceFactory(claim=claim, finding="Rejected.", status=Evidence.Status.REJECTED)

    page = main(client.get(f"/claims/{claim.slug}/"))

    assert "A draft." not in page
    assert "Rejected." not in page
    assert "No accepted evidence yet." in page


def test_an_unknown_claim_is_not_found(client):
    response = client.get("/claims/no-such-claim/")

    assert response.status_code == 404
    assert "Not found" in text(response)


# -- publication -----------------------------------------------------------------


def test_publication_page_shows_full_metadata_and_links(client):
    paper = PublicationFactory(
        pmid=16214129,
        title="Mesenchymal stem cells favor tumor growth in vivo.",
        authors=[
            {"last_name": "Zhu", "initials": "W", "orcid": "0000-0002-1825-0097"},
            {"collective_name": "MSC Study Group"},
        ],
        journal="Experimental and molecular pathology",
        journal_iso="Exp Mol Pathol",
        volume="80",
        issue="3",
        pages="267-74",
        pub_date="2006 Jun",
        abstract_sections=[
            {"label": "BACKGROUND", "text": "MSC home to tumors."},
            {"label": "RESULTS", "text": "Tumors grew."},
        ],
        doi="10.1016/j.yexmp.2005.07.004",
        pmcid="PMC1234567",
        mesh_terms=["Mesenchymal Stem Cells"],
        publication_types=["Journal Article"],
        metadata_state=Publication.MetadataState.CURRENT,
        fetched_at=datetime.datetime(2025, 3, 4, 5, 6, tzinfo=datetime.UTC),
    )
    claim = ClaimFactory(statement="MSC feed tumors.")
    EvidenceFactory(claim=claim, publication=paper, finding="Tumors doubled.")

    page = main(client.get("/publications/16214129/"))

    assert "Mesenchymal stem cells favor tumor growth in vivo." in page
    assert "Zhu W" in page
    assert "MSC Study Group" in page
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in page
    assert "2006 Jun;80(3):267-74." in page
    assert "Exp Mol Pathol" in page
    assert '<strong class="abstract-label">BACKGROUND.</strong> MSC home' in page
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/16214129/"' in page
    assert 'href="https://doi.org/10.1016/j.yexmp.2005.07.004"' in page
    assert 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/"' in page
    assert "Mesenchymal Stem Cells" in page
    assert "Journal Article" in page
    assert f'href="/claims/{claim.slug}/"' in page
    assert "Tumors doubled." in page
    assert "last refreshed" in page
    assert "4 March 2025" in page


def test_publication_page_badges_every_integrity_notice(client):
    PublicationFactory(
        pmid=15833829,
        is_retracted=True,
        retraction_notice_pmid=20000001,
        erratum_pmids=[20000002],
        expression_of_concern_pmids=[20000003],
        superseded_by_pmid=20000004,
        publication_types=["Review"],
        metadata_state=Publication.MetadataState.PENDING,
        verification=Publication.Verification.UNVERIFIED,
    )

    page = main(client.get("/publications/15833829/"))

    for badge in (
        "Retracted",
        "Erratum",
        "Expression of concern",
        "Superseded",
        "Review article",
        "Awaiting verification",
        "Details not yet fetched from PubMed",
    ):
        assert f">{badge}</span>" in page
    for pmid in (20000001, 20000002, 20000003, 20000004):
        assert f'href="https://pubmed.ncbi.nlm.nih.gov/{pmid}/"' in page


@pytest.mark.parametrize(
    ("state", "badge"),
    [
        ("missing", "Not found in PubMed"),
        # A failed refresh is the admin's business: a reader learns only that
        # the details are not there yet.
        ("failed", "Details not yet fetched from PubMed"),
        ("pending", "Details not yet fetched from PubMed"),
    ],
)
def test_publication_page_tells_readers_only_what_matters_to_them(client, state, badge):
    PublicationFactory(pmid=1234, metadata_state=state)

    page = main(client.get("/publications/1234/"))

    assert f">{badge}</span>" in page
    for maintenance in ("Metadata pending", "Metadata refresh failed"):
        assert maintenance not in page


def test_a_paper_added_but_not_fetched_shows_no_broken_metadata(client):
    PublicationFactory(
        pmid=1235,
        title="",
        curated_title="",
        journal="",
        journal_iso="",
        pub_date="",
        year=None,
        authors=[],
        metadata_state="pending",
    )

    page = main(client.get("/publications/1235/"))

    assert "Title not yet fetched from PubMed</h1>" in page
    assert "Untitled" not in page
    assert "Journal not known" not in page
    assert ". ." not in page
    assert 'class="journal"' not in page


def test_the_source_reviews_page_presents_the_review_and_its_claims(client, review):
    page = main(client.get("/publications/20411303/"))

    assert "No accepted evidence cites this paper" not in page
    assert "This is the review the portal is built on" in page
    assert 'href="/topics/"' in page
    assert 'href="/claims/"' in page


def test_the_source_review_is_labelled_as_such(client, review):
    page = main(client.get("/publications/20411303/"))

    assert "The source review" in page


def test_an_unknown_publication_is_not_found(client):
    assert client.get("/publications/999999/").status_code == 404


# -- topic, search, methods ------------------------------------------------------


def test_topic_page_lists_its_claims_only(client):
    topic = TopicFactory(name="Angiogenesis", description="New vessels.")
    ClaimFactory(topic=topic, statement="MSC feed vessels.")
    ClaimFactory(statement="MSC home to wounds.")

    page = main(client.get(f"/topics/{topic.slug}/"))

    assert "<h1>Angiogenesis</h1>" in page
    assert "New vessels." in page
    assert "MSC feed vessels." in page
    assert "MSC home to wounds." not in page
    assert f"/api/v1/claims/evidence/?format=csv&amp;topic={topic.slug}" in page


def test_topic_page_shows_background_claims_apart(client):
    topic = TopicFactory()
    ClaimFactory(topic=topic, statement="MSC feed tumors.")
    ClaimFactory(topic=topic, statement="Myeloma erodes bone.", kind="background")

    page = main(client.get(f"/topics/{topic.slug}/"))

    msc, background = page.split('id="background-h"')
    assert "MSC feed tumors." in msc
    assert "Myeloma erodes bone." not in msc
    assert "Background (1)" in background
    assert "Myeloma erodes bone." in background


def test_an_unknown_topic_is_not_found(client):
    assert client.get("/topics/nothing-here/").status_code == 404


def test_search_finds_claims_findings_and_papers(client):
    claim = ClaimFactory(statement="MSC home to gliomas.")
    paper = PublicationFactory(title="Glioma tropism of stromal cells")
    EvidenceFactory(claim=claim, publication=paper, finding="Cells reached gliomas.")
    ClaimFactory(statement="MSC feed tumors.")

    response = client.get("/search/", {"q": "glioma"})

    page = main(response)
    assert (
        f'<a class="claim-link" href="/claims/{claim.slug}/">MSC home to '
        "<mark>gliomas</mark>." in page
    )
    assert "Cells reached <mark>gliomas</mark>." in page
    assert f'href="/publications/{paper.pmid}/"><mark>Glioma</mark> tropism' in page
    assert "MSC feed tumors." not in page
    assert "1 claim, 1 finding and 1 paper match" in words(response)


def test_search_pages_each_kind_twenty_at_a_time(client):
    for n in range(21):
        ClaimFactory(statement=f"Gliomas attract MSC, report {n}.")

    first = client.get("/search/", {"q": "gliomas"})
    second = client.get("/search/", {"q": "gliomas", "claims_page": 2})

    assert "21 claims, 0 findings and 0 papers match" in words(first)
    assert main(first).count('class="claim-item"') == 20
    assert "Page 1 of 2" in words(first)
    assert main(second).count('class="claim-item"') == 1
    assert "Page 2 of 2" in words(second)


def test_search_without_words_shows_only_the_form(client):
    ClaimFactory(statement="MSC home to wounds.")

    page = main(client.get("/search/"))

    assert 'id="search-q"' in page
    assert "MSC home to wounds." not in page


def test_methods_page_publishes_the_rules_from_the_code_with_their_version(client):
    page = main(client.get("/methods/"))

    assert f"rules v{RULES_VERSION}" in page
    for rule in RULES:
        assert f'<tr id="rule-{rule.code}">' in page
        assert escape(rule.when[:1].upper() + rule.when[1:]) in page
    assert "at least 2 on each" in page
    assert "at least 80% of all of them" in page
    assert "<dt>Lowest rating that counts</dt><dd>3 of 5</dd>" in page
    assert "MSC delivery, host immune status, experimental model" in page
    for level in RATING_RUBRIC:
        assert f'<tr id="rating-{level.rating}">' in page
    for kind in ClaimKind:
        assert f"<dt>{escape(kind.label)}</dt>" in page
    assert "How citation metadata is refreshed" in page
    assert "200 papers per request" in page


# -- escaping ----------------------------------------------------------------------


def test_titles_and_findings_containing_markup_render_as_text(client):
    paper = PublicationFactory(pmid=4242, title=SCRIPT, abstract=SCRIPT)
    claim = ClaimFactory(statement=f"Claim {SCRIPT}", topic=TopicFactory(name=SCRIPT))
    EvidenceFactory(
        claim=claim,
        publication=paper,
        finding=SCRIPT,
        cancer_types=[TermFactory(slug="script", label=SCRIPT)],
    )
    claims_recompute_status(claim_ids=[claim.pk])

    for url in (
        "/",
        "/claims/",
        f"/claims/{claim.slug}/",
        "/publications/4242/",
        f"/topics/{claim.topic.slug}/",
        "/search/?q=claim",
        f"/claims/?q={SCRIPT}",
    ):
        page = text(client.get(url))
        assert SCRIPT not in page, url
        assert "&lt;script&gt;" in page, url


# -- cost --------------------------------------------------------------------------

PAGES = [
    "/",
    "/claims/",
    "/claims/?status=supported&delivery=co_injection&year_min=2000&q=tumor",
    f"/claims/{CONFLICTED}/",
    f"/publications/{RETRACTED_PMID}/",
    "/topics/tumor-growth-survival/",
    "/search/?q=tumor",
    "/methods/",
]
# Rendered afresh (after any change to the data), a page reads the data version
# (the page cache's key) and at most six more. A search adds its plan (one
# query: how rare each word is) and its matching rows (claims.search). The
# browse page with words searches twice, for its list and for its facet counts:
# the data version, 2 x (plan and matching claims), the count, the page, its
# paper counts, and two facet counts, which read the topics and the year bounds
# too. The search page: the data version, the plan, and for each of claims,
# findings and papers the matching rows and the page.
QUERY_BUDGET = 7
SEARCH_BUDGET = {"/claims/?": 11, "/search/?": 8}


def grow_the_data() -> None:
    """Add a topic of claims, each with evidence on its own papers."""
    review = ReviewFactory()
    topic = TopicFactory(review=review)
    for _ in range(5):
        claim = ClaimFactory(topic=topic, statement="More tumor claims.")
        for stance in ("supports", "refutes", "qualifies"):
            EvidenceFactory(
                claim=claim, stance=stance, finding="A tumor finding.", delivery="local"
            )
    claim = Claim.objects.get(slug=CONFLICTED)
    for _ in range(3):
        EvidenceFactory(claim=claim, finding="Another tumor finding.")
    EvidenceFactory(
        claim=claim, publication=Publication.objects.get(pmid=RETRACTED_PMID)
    )
    claims_recompute_status()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_pages_make_the_same_few_queries_as_the_data_grows(
    client, review, url, django_assert_max_num_queries
):
    before = queries(client, url)
    grow_the_data()

    budget = next((n for p, n in SEARCH_BUDGET.items() if url.startswith(p)), None)
    with django_assert_max_num_queries(budget or QUERY_BUDGET):
        after = queries(client, url)

    assert after == before


@pytest.mark.parametrize(
    "query", ["", "?status=contested&delivery=co_injection&year_min=2000&page=2"]
)
def test_a_fresh_browse_page_makes_six_queries_however_many_claims(
    client, query, django_assert_num_queries
):
    """The data version, the count, the page (paper counts are stored on the
    claims), the topics, the passing claims per topic and status, and per
    evidence facet value."""

    def add_claims(n: int) -> None:
        for _ in range(n):
            claim = ClaimFactory(status=ClaimStatus.CONTESTED)
            for delivery in ("co_injection", "systemic"):
                EvidenceFactory(claim=claim, delivery=delivery)

    add_claims(2)
    with django_assert_num_queries(6):
        assert client.get(f"/claims/{query}").status_code == 200
    add_claims(120)

    with django_assert_num_queries(6):
        page = client.get(f"/claims/{query}")

    assert page.status_code == 200
    assert page.context["page"].paginator.count == 122


def test_pages_and_searches_count_against_the_apis_rate_limit(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": None},
    }
    ClaimFactory(statement="MSC home to gliomas.")

    statuses = [
        client.get(url).status_code for url in ("/", "/search/?q=glioma", "/claims/")
    ]
    refused = client.get("/search/", {"q": "glioma"})

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()


def test_the_browse_page_marks_the_words_its_search_found(client):
    claim = ClaimFactory(statement="MSC home to gliomas.")

    page = main(client.get("/claims/", {"q": "glioma"}))

    assert f'href="/claims/{claim.slug}/">MSC home to <mark>gliomas</mark>.' in page
