"""The CSV of each resource: its plan's records, flattened into chosen columns.

A column is a key of the record as the API shows it, dotted into a nested
group ("publication.pmid"), so a CSV and the JSON cannot disagree. One value
per cell: a list (a record's cancer types, a paper's authors) is one cell, its
items' names joined by "; ". The API's CSV exports and a release's reader
files both write these.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from claims.exports import shapes
from claims.exports.plans import Plan, plan

TERMS_SEPARATOR = "; "
# A spreadsheet reads a cell starting with one of these as a formula (CSV
# injection): such text gets a leading apostrophe, so it opens as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def term_labels(terms: list[dict]) -> str:
    return TERMS_SEPARATOR.join(term["label"] for term in terms)


def author_names(authors: list[dict]) -> str:
    """ "Last Initials" or "Last Initials Jr" (as PubMed cites), joined."""
    return TERMS_SEPARATOR.join(
        a["collective_name"]
        or " ".join(p for p in (a["last_name"], a["initials"], a.get("suffix")) if p)
        for a in authors
    )


@dataclass(frozen=True)
class Table:
    """A resource's CSV: {column: dotted key of its record}, and how a list
    under a key reads in one cell."""

    shape: type[serializers.Serializer]
    columns: dict[str, str]
    cells: tuple[tuple[str, Callable[[Any], str]], ...] = ()

    @property
    def plan(self) -> Plan:
        """The shape's plan, reading only what the columns show."""
        return plan(self.shape, tuple(self.columns.values()))

    def rows(self, records: Iterable[dict]) -> Iterator[dict]:
        """Each record, as the plan gives it, as {column: value}."""
        keys = [(column, key.split(".")) for column, key in self.columns.items()]
        for record in records:
            yield self._cells({column: _dig(record, path) for column, path in keys})

    def stream(self, queryset, request=None) -> Iterator[dict]:
        """Every record of queryset as a row, in constant memory."""
        for row in self.plan.stream(queryset, request, self.columns):
            yield self._cells(row)

    def _cells(self, row: dict) -> dict:
        for column, cell in self.cells:
            row[column] = cell(row[column])
        return row


def _dig(record: dict, path: list[str]) -> Any:
    for key in path:
        record = record[key]
    return record


def _same(*keys: str) -> dict[str, str]:
    """Columns named for the last part of their key."""
    return {key.rpartition(".")[2]: key for key in keys}


REVIEWS = Table(
    shapes.ReviewSerializer,
    {
        "slug": "slug",
        "pmid": "publication.pmid",
        "title": "publication.title",
        **_same("summary", "topic_count"),
    },
)
TOPICS = Table(
    shapes.TopicSerializer,
    _same("slug", "name", "description", "position", "review", "claim_count"),
)
# A claim's counts: the stored verdict's, in papers (the API's `strength`), then
# its accepted records by stance and effect (the API's `evidence_counts`).
CLAIMS = Table(
    shapes.ClaimSerializer,
    {
        **_same("slug", "topic", "statement", "setting", "status", "status_reason"),
        # "v2.0": a spreadsheet would read a version 1.10 as the number 1.1.
        "status_rules_version": "status_rules_version",
        "papers": "strength.papers",
        **{
            f"papers_{key}": f"strength.{key}"
            for key in ("supporting", "refuting", "qualifying", "in_vivo", "human")
        },
        **_same("strength.mean_rating", "strength.thin"),
        "evidence": "evidence_counts.total",
        **{key: f"evidence_counts.by_stance.{key}" for key in shapes.STANCES},
        **{key: f"evidence_counts.by_effect.{key}" for key in shapes.EFFECTS},
    },
    cells=(("status_rules_version", lambda version: f"v{version}" if version else ""),),
)
EVIDENCE = Table(
    shapes.EvidenceSerializer,
    {
        "id": "id",
        "claim": "claim",
        "pmid": "publication.pmid",
        "year": "publication.year",
        "retracted": "publication.is_retracted",
        **_same("stance", "effect", "level", "msc_source", "species"),
        **_same("cancer_types", "model", "immune_status", "delivery"),
        **_same("msc_tumor_ratio", "not_reported", "finding", "quote"),
        # Named as its filter: ?status= on the evidence lists is the claim's.
        "rating": "rating",
        "workflow": "status",
    },
    cells=(("cancer_types", term_labels),),
)
PUBLICATIONS = Table(
    shapes.PublicationSerializer,
    _same(
        "pmid",
        "title",
        "authors",
        "journal",
        "year",
        "volume",
        "issue",
        "pages",
        "doi",
        "pmcid",
        "metadata_state",
    )
    # Named as its filter (?retracted=), and as the evidence's column.
    | {"retracted": "is_retracted"},
    cells=(("authors", author_names),),
)


class _Line:
    """A file-like object whose write() hands the line back (csv needs one)."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = TERMS_SEPARATOR.join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def csv_lines(rows: Iterable[dict], columns: list[str]) -> Iterator[str]:
    """The header, then each row as one CSV line (CRLF), cells made safe."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(row.get(column)) for column in columns])
