"""The shipped curated content meets the coverage the portal promises."""

import csv
from pathlib import Path

import pytest
from django.conf import settings

from claims.review_file import read_review_file

SOURCES = Path(settings.BASE_DIR) / "claims" / "data" / "sources"
ABSTRACT_THEMES = [
    "msc-identity",
    "homing",
    "tumor-associated-fibroblasts",
    "tumor-growth-survival",
    "angiogenesis",
    "immunomodulation",
    "bone-marrow-niche",
    "osteolysis",
    "drug-resistance",
    "anti-tumor-effects",
    "therapy-vehicles",
    "myeloma-therapy",
]


def read_tsv(name: str) -> dict[int, dict]:
    with (SOURCES / name).open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {int(r["pmid"]): r for r in rows if r.get("pmid")}


@pytest.fixture(scope="module")
def data():
    return read_review_file(settings.REVIEW_DATA_FILE)


def test_topics_cover_every_theme_of_the_abstract(data):
    slugs = [topic.slug for topic in data.topics]

    assert len(slugs) >= 12
    assert set(ABSTRACT_THEMES) <= set(slugs)


def test_there_are_enough_claims_evidence_and_checked_papers(data):
    checked = read_tsv("references.tsv")
    used = {ev.pmid for _, ev in data.evidence}

    assert len(data.claims) >= 30
    assert len(data.evidence) >= 80
    assert len(used & checked.keys()) >= 35


def test_every_pmid_is_checked_with_the_same_title_or_marked_unverified(data):
    checked = read_tsv("references.tsv") | read_tsv("checked-here.tsv")

    for pub in data.publications:
        if pub.verified:
            assert pub.pmid in checked, pub.pmid
            assert pub.title == checked[pub.pmid]["title"], pub.pmid
        else:
            assert pub.pmid not in checked, pub.pmid


def test_papers_checked_here_name_the_ncbi_page_they_were_checked_on():
    checked_here = read_tsv("checked-here.tsv")

    assert checked_here.keys().isdisjoint(read_tsv("references.tsv"))
    for pmid, row in checked_here.items():
        page = row["checked_against"]
        assert page.startswith(
            (
                "https://www.ncbi.nlm.nih.gov/",
                "https://pubmed.ncbi.nlm.nih.gov/",
                "https://pmc.ncbi.nlm.nih.gov/",
            )
        ), pmid


def test_every_candidate_in_the_file_is_marked_unverified(data):
    candidates = read_tsv("candidate-references.tsv")

    for pub in data.publications:
        if pub.pmid in candidates:
            assert not pub.verified, pub.pmid


def applicable_facets(record) -> list[str]:
    """The context facets a primary record must give or list as not reported
    (docs/curation.md): the MSC's source and species and the model always; the
    host's immune status in animals; delivery and cancer type where an effect
    of MSC on a tumor was assessed."""
    facets = ["msc_source", "species", "model"]
    if record.level == "animal":
        facets.append("immune_status")
    if record.effect != "not_assessed":
        facets += ["delivery", "cancer_type"]
    return facets


def test_every_primary_record_gives_each_facet_or_says_it_is_not_reported(data):
    missing = [
        f"{ev.key}: {facet}"
        for _, ev in data.evidence
        if ev.level != "review"
        for facet in applicable_facets(ev)
        if not (ev.cancer_types if facet == "cancer_type" else getattr(ev, facet))
        and facet not in ev.not_reported
    ]

    assert missing == []


def test_review_articles_are_at_most_a_fifth_of_the_records(data):
    reviews = [ev for _, ev in data.evidence if ev.level == "review"]

    assert len(reviews) <= 0.2 * len(data.evidence)


# Primary records whose abstract is at hand but carry no quote, and why.
BEFORE_IN_VIVO = "the stored abstract stops before the in vivo results"
UNQUOTED = {
    "kidd2009-bioluminescence-tropism": "the stored abstract ends mid-sentence",
    "studeny2004-engraftment-tumors": BEFORE_IN_VIVO,
    "studeny2004-stroma-precursors": BEFORE_IN_VIVO,
    "jones2007-not-msc-specific": "the stored abstract ends before the finding",
    "wang2005-safety-concern": "the stored abstract ends mid-sentence",
    "ling2010-ifnb-msc-syngeneic-breast": "its finding is one 700-character sentence",
}


def test_every_primary_record_with_its_abstract_at_hand_carries_a_quote(data):
    abstracts = Path(__file__).resolve().parents[1] / "fixtures" / "abstracts"
    unquoted = {
        ev.key
        for _, ev in data.evidence
        if ev.level != "review"
        and not ev.quote
        and (abstracts / f"{ev.pmid}.txt").exists()
    }

    assert unquoted == set(UNQUOTED)


def test_conflicting_claims_carry_context_on_both_sides(data):
    conflicted = [
        claim
        for claim in data.claims
        if {"supports", "refutes"} <= {ev.stance for ev in claim.evidence}
    ]

    assert len(conflicted) >= 2
    for claim in conflicted:
        for ev in claim.evidence:
            if ev.stance != "qualifies" and ev.level != "review":
                coded = ev.delivery or ev.model
                unstated = {"delivery", "model"} & set(ev.not_reported)
                assert coded or unstated, ev.key


def test_tumor_growth_conflict_has_both_the_co_injection_and_the_anti_tumor_papers(
    data,
):
    growth = next(c for c in data.claims if c.slug.endswith("primary-tumor-growth"))
    stances = {ev.pmid: ev.stance for ev in growth.evidence}

    assert stances[16214129] == "supports"  # Zhu 2006, co-injection in nude mice
    assert {stances[p] for p in (16636132, 14611816, 19036701)} == {"refutes"}


def test_the_retracted_rubio_paper_is_recorded_as_retracted(data):
    rubio = next(pub for pub in data.publications if pub.pmid == 15833829)

    assert rubio.retracted
    assert 15833829 in {ev.pmid for _, ev in data.evidence}


def test_papers_awaiting_a_pmid_are_named_by_doi_or_title_and_not_in_the_file(data):
    with (SOURCES / "awaiting-pmid.tsv").open(newline="") as handle:
        waiting = list(csv.DictReader(handle, delimiter="\t"))
    in_file = {(pub.first_author, pub.year) for pub in data.publications}
    claims = {claim.slug for claim in data.claims}

    assert len(waiting) >= 10
    for row in waiting:
        assert row["doi"] or row["title"] or row["pmcid"], row
        assert (row["first_author"], int(row["year"])) not in in_file, row
        assert row["bears_on"] in claims, row
