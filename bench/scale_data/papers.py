"""Publications as a PubMed refresh would have stored them, from a seeded Random."""

import calendar
import datetime
import html
import re
from dataclasses import dataclass
from random import Random

from bench.scale_data import distributions as dist
from bench.scale_data import text
from claims.literature.citations import INTEGRITY_PREFIX, integrity_reasons
from claims.literature.pubmed.records import PubmedRecord
from claims.models import Publication

# PubMed is near 40 million PMIDs; this range stays clear of real ones for decades.
PMID_BASE = 90_000_001
# Notices (retractions, errata, concerns) are PubMed records the portal only links.
NOTICE_BASES = {"retraction": 97_000_000, "erratum": 98_000_000, "concern": 99_000_000}
MONTHS = calendar.month_abbr[1:]
LAST_REVISED = datetime.date(2025, 5, 31)
MESH_TERMS = (
    "Animals",
    "Humans",
    "Mice",
    "Female",
    "Male",
    "Mesenchymal Stem Cells",
    "Tumor Microenvironment",
    "Cell Line, Tumor",
    "Bone Marrow Cells",
    "Cell Movement",
    "Cell Proliferation",
    "Stromal Cells",
    "Neovascularization, Pathologic",
    "Signal Transduction",
    "Mice, Nude",
    "Mice, SCID",
    "Coculture Techniques",
    "Cytokines",
    "Multiple Myeloma",
    "Breast Neoplasms",
    "Melanoma",
    "Colonic Neoplasms",
    "Glioma",
    "Interleukin-6",
    "Chemokine CXCL12",
    "Receptors, CXCR4",
    "Drug Resistance, Neoplasm",
    "Immune Tolerance",
    "T-Lymphocytes",
    "Neoplasm Metastasis",
    "Cell Differentiation",
    "Apoptosis",
)


@dataclass(frozen=True)
class Paper:
    """What the claims need to know about one generated publication."""

    pmid: int
    year: int | None
    review: bool
    retracted: bool
    # Why evidence citing it needs another look, as the refresh would flag it.
    integrity: str
    # Why its evidence cannot count yet (Publication.awaiting_verification).
    awaiting: str = ""
    label: str = ""

    @classmethod
    def of(cls, row: Publication, *, review: bool) -> "Paper":
        reasons = integrity_reasons(row)
        return cls(
            pmid=row.pmid,
            year=row.year,
            review=review,
            retracted=row.is_retracted,
            integrity=f"{INTEGRITY_PREFIX}{'; '.join(reasons)}" if reasons else "",
            awaiting=row.awaiting_verification,
            label=f"{row.first_author or 'Anon.'} {row.year or 'n.d.'}",
        )


def publication(rng: Random, index: int, *, review: bool, stamp) -> Publication:
    """The index-th generated publication; a review article if review."""
    record = _record(rng, PMID_BASE + index, index, review=review)
    row = Publication(
        **record.model_fields(),
        record_hash=record.record_hash,
        curated_title=record.title.removesuffix("."),
        verification="unverified" if rng.random() < 0.05 else "verified",
        metadata_state="current",
        fetched_at=stamp,
        created_at=stamp,
        updated_at=stamp,
    )
    if rng.random() < 0.005:
        row.needs_review = True
        row.verification = "mismatch"
        row.curated_title = text.title(rng, text.subject(rng), review=review)
        row.review_note = (
            f"PubMed's title differs from the checked title '{row.curated_title}'; "
            "is the PMID right?"
        )
    state = dist.METADATA_STATES(rng)
    return row if state == "current" else _not_fetched(row, state)


def _record(rng: Random, pmid: int, index: int, *, review: bool) -> PubmedRecord:
    year = dist.YEARS(rng)
    journal = dist.JOURNALS_BY_YEAR[year](rng)
    about = text.subject(rng)
    # As the parser stores them: each part's text and its markup (none here).
    sections = tuple(
        (label, part, html.escape(part, quote=False))
        for label, part in text.abstract_sections(rng, about, review=review)
    )
    recent = year >= LAST_REVISED.year - 1
    status = (dist.MEDLINE_STATUS_RECENT if recent else dist.MEDLINE_STATUS)(rng)
    types = ["Journal Article", "Review"] if review else ["Journal Article"]
    if not review and rng.random() < 0.4:
        types.append("Research Support, Non-U.S. Gov't")
    title = text.title(rng, about, review=review)
    return PubmedRecord(
        pmid=pmid,
        title=title,
        title_html=html.escape(title, quote=False),
        authors=text.authors(rng, year=year, review=review),
        journal=journal.title,
        journal_iso=journal.iso,
        volume=str(max(1, year - journal.since + 1)),
        issue=str(rng.randint(1, 24)),
        pages=_pages(rng, journal),
        pub_date=_pub_date(rng, year),
        year=year,
        abstract=text.abstract_text(
            tuple((label, part) for label, part, _ in sections)
        ),
        abstract_sections=sections,
        doi=_doi(rng, journal, year, index),
        pmcid=f"PMC{2_000_000 + index}" if rng.random() < _pmc_share(year) else "",
        mesh_terms=_mesh(rng) if status == "MEDLINE" else (),
        publication_types=tuple(types),
        date_revised=_revised(rng, year),
        medline_status=status,
        **_integrity(rng, index, types),
    )


def _integrity(rng: Random, index: int, types: list[str]) -> dict:
    retracted = rng.random() < dist.RETRACTED_SHARE
    if retracted:
        types.append("Retracted Publication")

    def notice(kind: str, share: float) -> tuple[int, ...]:
        return (NOTICE_BASES[kind] + index,) if rng.random() < share else ()

    return {
        "is_retracted": retracted,
        "retraction_notice_pmid": NOTICE_BASES["retraction"] + index
        if retracted
        else None,
        "erratum_pmids": notice("erratum", dist.ERRATUM_SHARE),
        "expression_of_concern_pmids": notice("concern", dist.CONCERN_SHARE),
        "superseded_by_pmid": None,
    }


def _not_fetched(row: Publication, state: str) -> Publication:
    """A paper PubMed has not (successfully) answered for: only the curator's data."""
    kept = {"pmid", "title", "curated_title", "first_author", "journal", "year"}
    kept |= {"verification", "is_retracted", "created_at", "updated_at", "id"}
    blank = Publication(pmid=row.pmid)
    for field in Publication._meta.concrete_fields:
        if field.attname not in kept:
            setattr(row, field.attname, getattr(blank, field.attname))
    row.journal = row.journal_iso or row.journal
    row.metadata_state = state
    if state == "failed":
        row.last_error = "HTTP 500 from efetch after 5 attempts"
    return row


def _pages(rng: Random, journal: dist.Journal) -> str:
    if journal.since >= 2006:  # online-only journals number their articles
        return (
            f"e{rng.randint(10000, 99999)}"
            if rng.random() < 0.5
            else str(rng.randint(100, 9999))
        )
    first = str(rng.randint(1, 9000))
    last = str(int(first) + rng.randint(3, 16))
    # MEDLINE drops the leading digits the last page shares with the first.
    shared = 0
    if len(first) == len(last):
        while shared < len(last) - 1 and first[shared] == last[shared]:
            shared += 1
    return f"{first}-{last[shared:]}"


def _pub_date(rng: Random, year: int) -> str:
    roll = rng.random()
    month = rng.choice(MONTHS)
    if roll < 0.1:
        return str(year)
    if roll < 0.3:
        return f"{year} {month} {rng.randint(1, 28)}"
    return f"{year} {month}"


def _doi(rng: Random, journal: dist.Journal, year: int, index: int) -> str:
    if year < 1998 and rng.random() < 0.4:
        return ""
    code = re.sub(r"[^a-z]+", "", journal.iso.lower())[:8]
    return f"{journal.doi_prefix}/{code}.{year}.{index:06d}"


def _pmc_share(year: int) -> float:
    return 0.35 if year >= 2000 else 0.05


def _mesh(rng: Random) -> tuple[str, ...]:
    return tuple(sorted(rng.sample(MESH_TERMS, rng.randint(6, 12))))


def _revised(rng: Random, year: int) -> datetime.date:
    published = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
    return min(published + datetime.timedelta(days=rng.randint(30, 4000)), LAST_REVISED)
