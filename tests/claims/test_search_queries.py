"""What researchers type, on the shipped review: one table of queries and what
each must find, run as it stands on SQLite and on PostgreSQL (CI runs the suite
on both), through text_search, the API and the search page."""

import pytest
from django.core.exceptions import ValidationError

from claims.models import Claim, Evidence, Publication
from claims.search import MAX_TERMS, parse, text_search
from claims.search.snippets import highlight
from tests.factories import EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db

# query: (claims that must be among its first three, a paper it must rank first)
TOP = {
    "MSC promote tumor angiogenesis": ({"msc-promote-tumor-angiogenesis"}, None),
    "angio*": ({"msc-promote-tumor-angiogenesis"}, None),
    "IL6": (
        {"marrow-il6-drives-osteolysis", "il6-is-myeloma-growth-factor-and-target"},
        None,
    ),
    "CAF": ({"cafs-promote-tumor-progression", "msc-acquire-caf-phenotype"}, None),
    "NK cells": ({"msc-inhibit-nk-cells"}, None),
    "drug resistance": ({"marrow-environment-drug-resistance"}, None),
    "Karnoub": ({"msc-promote-metastasis"}, 17914389),
    "17914389": ({"msc-promote-metastasis"}, 17914389),
    "Otsu": (set(), 19036701),
    "Djouad": (set(), 12881305),
}
# Queries that must find exactly what another finds: spelling, synonyms, case.
SAME = [
    ("tumour", "tumor"),
    ("Tumours", "tumors"),
    ("MSCs", "MSC"),
    ("mesenchymal stromal cells", "MSC"),
    ("mesenchymal stem cells", "MSC"),
    ("IL6", "IL-6"),
    ("interleukin-6", "IL-6"),
    ("tumor-associated fibroblasts", "CAF"),
    ("haematopoietic", "hematopoietic"),
]
KINDS = (Claim, Evidence, Publication)


def found(q: str, model=Claim) -> list:
    return list(text_search(model.objects.all(), q).values_list("pk", flat=True))


def test_each_query_of_the_table_finds_what_a_researcher_means(confirmed_review):
    misses = []
    for q, (claims, paper) in TOP.items():
        top = set(
            text_search(Claim.objects.all(), q).values_list("slug", flat=True)[:3]
        )
        papers = list(
            text_search(Publication.objects.all(), q).values_list("pmid", flat=True)[:1]
        )
        if not claims <= top or (paper and papers != [paper]):
            misses.append((q, sorted(top), papers))

    assert misses == []


@pytest.mark.parametrize(("q", "same_as"), SAME)
def test_spellings_synonyms_and_abbreviations_find_the_same(
    confirmed_review, q, same_as
):
    for model in KINDS:
        assert set(found(q, model)) == set(found(same_as, model)), model
    assert found(same_as)  # and not nothing on both sides


def test_a_claims_own_statement_finds_it_first(confirmed_review):
    misses = []
    for claim in Claim.objects.all():
        try:
            query = parse(claim.statement)
        except ValidationError:
            continue  # longer than a search may be
        first = text_search(Claim.objects.all(), query).first()
        if first != claim:
            misses.append((claim.slug, first.slug if first else None))

    assert misses == []
    searchable = [c for c in Claim.objects.all() if len(parse_or_none(c.statement)) > 0]
    assert len(searchable) >= 30


def parse_or_none(text: str):
    try:
        return parse(text).terms
    except ValidationError:
        return ()


def test_a_phrase_and_an_exclusion_narrow_the_results(confirmed_review):
    marrow = found('"bone marrow"')
    without_myeloma = text_search(Claim.objects.all(), '"bone marrow" -myeloma')

    assert 0 < without_myeloma.count() < len(marrow)
    assert not any("myeloma" in c.statement.lower() for c in without_myeloma)
    assert not text_search(Claim.objects.all(), '"marrow bone"').exists()


def test_every_author_a_doi_and_a_journal_find_their_paper(db):
    paper = PublicationFactory(
        title="Stromal cells in gliomas",
        first_author="Nakamizo",
        authors=[
            {"last_name": "Nakamizo", "initials": "A"},
            {"last_name": "Marini", "initials": "F"},
            {"last_name": "Lang", "fore_name": "Frederick F", "initials": "FF"},
        ],
        journal="Cancer Research",
        doi="10.1158/0008-5472.CAN-04-1874",
    )
    EvidenceFactory(publication=paper, finding="Cells reached the gliomas.")
    PublicationFactory(title="Another paper", journal="Blood")

    for q in (
        "Lang",
        "Frederick",
        "10.1158/0008-5472.CAN-04-1874",
        '"cancer research"',
    ):
        assert found(q, Publication) == [paper.pk], q
    assert found("Marini", Claim) == [paper.evidence.get().claim_id]


def test_a_query_of_too_many_terms_is_refused_with_a_reason():
    q = " ".join(f"word{n}" for n in range(MAX_TERMS + 1))

    with pytest.raises(ValidationError, match=f"at most {MAX_TERMS} words"):
        parse(q)
    assert len(parse(" ".join(f"word{n}" for n in range(MAX_TERMS))).terms) == MAX_TERMS
    # Common words do not count: a statement pasted whole is still a search.
    assert len(parse("the cells of the tumor and of the marrow").terms) == 3


@pytest.mark.parametrize("q", ["%", "the", "-- ** //"])
def test_a_query_with_nothing_to_search_for_is_refused(q):
    with pytest.raises(ValidationError, match="Nothing to search for"):
        parse(q)


def test_the_api_and_the_search_page_give_the_same_order(confirmed_review, client):
    for q in ("tumor", "MSC", "IL6", "angio*"):
        api = client.get("/api/v1/claims/", {"q": q, "page_size": 20}).json()
        page = client.get("/search/", {"q": q})
        ordered = [c.slug for c in page.context["results"].claims.rows]
        assert [c["slug"] for c in api["results"]] == ordered, q


def test_too_many_terms_is_a_400_on_the_api_and_an_error_on_the_page(client):
    q = " ".join(f"w{n}" for n in range(50))

    api = client.get("/api/v1/claims/", {"q": q})
    page = client.get("/search/", {"q": q})

    assert api.status_code == 400
    assert "at most 12 words" in api.json()["error"]["fields"]["q"][0]
    assert page.status_code == 400
    assert "at most 12 words" in page.content.decode()


def test_matches_are_marked_and_the_rest_escaped():
    query = parse("tumour angio*")

    marked = highlight("Tumors <b>grew</b>; angiogenesis rose.", query)

    assert marked == (
        "<mark>Tumors</mark> &lt;b&gt;grew&lt;/b&gt;; <mark>angiogenesis</mark> rose."
    )


def test_a_long_text_is_cut_around_its_first_match():
    text = " ".join(["filler"] * 60 + ["osteolysis"] + ["filler"] * 60)

    snippet = highlight(text, parse("osteolysis"), snippet=True)

    assert snippet.startswith("… filler")
    assert snippet.endswith("filler …")
    assert "<mark>osteolysis</mark>" in snippet
    assert len(snippet) < len(text) / 2


def test_a_misspelt_word_gets_a_suggestion_and_help(confirmed_review, client):
    page = client.get("/search/", {"q": "angiogenisis"})

    assert page.context["results"].suggestion == "angiogenesis"
    html = page.content.decode()
    assert 'Did you mean <a href="/search/?q=angiogenesis">angiogenesis</a>?' in html
    assert "Check the spelling" in html


def test_a_phrase_is_marked_only_where_its_words_stand_together():
    marked = highlight(
        "Marrow stromal cells met myeloma cells.", parse('"stromal cells"')
    )

    assert marked == "Marrow <mark>stromal</mark> <mark>cells</mark> met myeloma cells."
