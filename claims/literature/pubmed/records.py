"""The plain, frozen records E-utilities responses become, and their model fields."""

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

# MEDLINE's month abbreviations, lowercased, as numbers: PubDate's "Jun" is 6.
MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


@dataclass(frozen=True)
class Author:
    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    suffix: str = ""  # Jr, II
    collective_name: str = ""
    orcid: str = ""


@dataclass(frozen=True)
class PubmedRecord:
    pmid: int
    title: str
    title_html: str  # the title with PubMed's inline markup (claims...markup)
    authors: tuple[Author, ...]
    journal: str
    journal_iso: str
    volume: str
    issue: str
    pages: str
    pub_date: str
    year: int | None
    abstract: str
    abstract_sections: tuple[tuple[str, str, str], ...]  # label, text, its markup
    doi: str
    pmcid: str
    mesh_terms: tuple[str, ...]
    publication_types: tuple[str, ...]
    date_revised: datetime.date | None
    medline_status: str
    is_retracted: bool
    retraction_notice_pmid: int | None
    erratum_pmids: tuple[int, ...]
    expression_of_concern_pmids: tuple[int, ...]
    superseded_by_pmid: int | None
    is_book: bool = False
    issn: str = ""
    language: str = ""  # ISO 639-2, as PubMed codes it

    def model_fields(self) -> dict[str, Any]:
        """Publication field name -> value, ready to assign to the model.

        JSONField values are lists and dicts; date_revised stays a date, as the
        DateField holds it, so comparing with a saved row finds no false change.
        """
        first = self.authors[0] if self.authors else Author()
        fields = {
            "pmid": self.pmid,
            "title": self.title,
            "title_html": self.title_html,
            "first_author": first.last_name or first.collective_name,
            "authors": [asdict(author) for author in self.authors],
            "journal": self.journal,
            "journal_iso": self.journal_iso,
            "issn": self.issn,
            "language": self.language,
            "is_book": self.is_book,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "pub_date": self.pub_date,
            "year": self.year,
            "abstract": self.abstract,
            "abstract_sections": [
                {"label": label, "text": text, "html": marked}
                for label, text, marked in self.abstract_sections
            ],
            "doi": self.doi,
            "pmcid": self.pmcid,
            "mesh_terms": list(self.mesh_terms),
            "publication_types": list(self.publication_types),
            "date_revised": self.date_revised,
            "medline_status": self.medline_status,
            "is_retracted": self.is_retracted,
            "retraction_notice_pmid": self.retraction_notice_pmid,
            "erratum_pmids": list(self.erratum_pmids),
            "expression_of_concern_pmids": list(self.expression_of_concern_pmids),
            "superseded_by_pmid": self.superseded_by_pmid,
        }
        return _fit_to_model(fields)

    @property
    def record_hash(self) -> str:
        """SHA-256 of model_fields() as canonical JSON: equal records, equal hash."""
        canonical = json.dumps(
            self.model_fields(),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=_json_default,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class FetchResult:
    records: dict[int, PubmedRecord]
    missing: tuple[int, ...]


def _fit_to_model(fields: dict[str, Any]) -> dict[str, Any]:
    """Cut strings to their column's max_length; a long collective name must not
    fail the whole batch on PostgreSQL."""
    # Imported here: the models need the app registry, this module does not.
    from claims.models import Publication, column

    for name, value in fields.items():
        max_length = column(Publication, name).max_length
        if max_length and isinstance(value, str):
            fields[name] = value[:max_length]
    return fields


def _json_default(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
