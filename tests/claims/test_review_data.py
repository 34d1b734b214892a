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
    checked = read_tsv("references.tsv")

    for pub in data.publications:
        if pub.verified:
            assert pub.pmid in checked, pub.pmid
            assert pub.title == checked[pub.pmid]["title"], pub.pmid
        else:
            assert pub.pmid not in checked, pub.pmid


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
                assert ev.delivery or ev.model, ev.key


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
