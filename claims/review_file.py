"""Reading the curated review data file (YAML) into plain, validated dataclasses.

Every error names the file and the line, so a curator editing the file by hand
can find the mistake. Nothing here touches the database.
"""

import hashlib
import json
import re
from collections.abc import Set
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from claims.facets import CONTEXT_FACETS, EVIDENCE_FACETS, FACETS, not_reported_problems
from claims.models import Claim, Evidence, Publication, Review, Topic, column
from claims.status_rules import ClaimKind
from claims.vocabulary import (
    VOCABULARY_FILE,
    Vocabulary,
    VocabularyFileError,
    choices_of,
    read_vocabulary_file,
)
from claims.yaml_lines import read_with_lines

FORMAT_VERSION = 1
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# One sentence of an abstract; Evidence.quote is a TextField, so the file sets it.
QUOTE_MAX_LENGTH = 600

# The facets of a record, keyed as the file keys them: by the model field.
EVIDENCE_CHOICES = {
    f.field: [value for value, _ in column(Evidence, f.field).choices or ()]
    for f in EVIDENCE_FACETS
    if not f.multiple
}
EVIDENCE_TEXT = {"ratio", "finding", "key"}
EVIDENCE_TERMS = {f.field: f.vocabulary for f in EVIDENCE_FACETS if f.multiple}
# The model field each text of the file is stored in: a value longer than its
# max_length is refused here, with its line, on every database (SQLite would
# store it, PostgreSQL raises).
STORED_IN = {
    "publication": {
        "title": column(Publication, "title"),
        "first_author": column(Publication, "first_author"),
        "journal": column(Publication, "journal"),
    },
    "review": {
        "slug": column(Review, "slug"),
        "summary": column(Review, "summary"),
    },
    "topic": {
        "slug": column(Topic, "slug"),
        "name": column(Topic, "name"),
        "description": column(Topic, "description"),
    },
    "claim": {
        "slug": column(Claim, "slug"),
        "statement": column(Claim, "statement"),
    },
    "evidence": {
        "key": column(Evidence, "source_key"),
        "ratio": column(Evidence, "msc_tumor_ratio"),
        "finding": column(Evidence, "finding"),
    },
}


class ReviewFileError(ValueError):
    """The data file is malformed; the message names the file and the line."""


# Left out of an entry's hash: its slug (the key it is found by), the entries
# it holds (each has a hash of its own) and the line it starts on.
_NOT_HASHED = frozenset({"slug", "evidence", "claims", "line"})
# A key added to the format after records were loaded: hashed only when set, so
# that a record without it keeps the hash it was loaded with (no spurious edit).
ADDED_KEY = {"added": True}


def _hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _content_hash(entry: Any) -> str:
    """What load_review compares to tell whether a record's content changed."""
    content = {
        f.name: getattr(entry, f.name)
        for f in fields(entry)
        if f.name not in _NOT_HASHED
        and not (f.metadata.get("added") and getattr(entry, f.name) == f.default)
    }
    return _hash(content)


@dataclass(frozen=True)
class PublicationEntry:
    pmid: int
    title: str
    first_author: str
    journal: str
    year: int
    verified: bool = True
    retracted: bool = False


@dataclass(frozen=True)
class EvidenceEntry:
    key: str
    pmid: int
    stance: str
    effect: str
    level: str
    finding: str
    rating: int
    msc_source: str = ""
    species: str = ""
    cancer_types: tuple[str, ...] = ()
    model: str = ""
    immune_status: str = ""
    delivery: str = ""
    ratio: str = ""
    quote: str = field(default="", metadata=ADDED_KEY)
    # Context facets (by facet name) that apply but the abstract does not state.
    not_reported: tuple[str, ...] = field(default=(), metadata=ADDED_KEY)

    source_hash = property(_content_hash)


@dataclass(frozen=True)
class ClaimEntry:
    slug: str
    statement: str
    setting: str
    evidence: tuple[EvidenceEntry, ...]
    kind: str = ClaimKind.EMPIRICAL
    # Retired slugs of claims merged into or renamed to this one.
    formerly: tuple[str, ...] = field(default=(), metadata=ADDED_KEY)
    line: int = field(default=0, compare=False)

    source_hash = property(_content_hash)


@dataclass(frozen=True)
class TopicEntry:
    slug: str
    name: str
    description: str
    claims: tuple[ClaimEntry, ...]

    source_hash = property(_content_hash)


@dataclass(frozen=True)
class ReviewEntry:
    pmid: int
    slug: str
    summary: str
    publication: PublicationEntry


@dataclass(frozen=True)
class ReviewData:
    path: Path
    review: ReviewEntry
    publications: tuple[PublicationEntry, ...]
    vocabulary: Vocabulary
    topics: tuple[TopicEntry, ...] = field(default=())

    @property
    def claims(self) -> list[ClaimEntry]:
        return [claim for topic in self.topics for claim in topic.claims]

    @property
    def evidence(self) -> list[tuple[ClaimEntry, EvidenceEntry]]:
        return [(claim, ev) for claim in self.claims for ev in claim.evidence]


class _Reader:
    """Validates the parsed YAML tree, raising ReviewFileError at the first problem."""

    def __init__(self, path: Path, vocabulary: Vocabulary):
        self.path, self.vocabulary = path, vocabulary
        self.seen: dict[str, set] = {
            "topic": set(),
            "claim": set(),
            "evidence": set(),
            "alias": set(),
        }

    def fail(self, node: Any, message: str) -> ReviewFileError:
        line = getattr(node, "line", 0)
        return ReviewFileError(f"{self.path}:{line}: {message}")

    def mapping(
        self,
        node: Any,
        what: str,
        required: Set[str],
        optional: Set[str] = frozenset(),
    ) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(node, f"{what} must be a mapping of keys to values.")
        missing = sorted(required - node.keys())
        if missing:
            raise self.fail(node, f"{what} is missing {', '.join(missing)}.")
        unknown = sorted(node.keys() - required - set(optional))
        if unknown:
            raise self.fail(node, f"{what} has unknown key(s) {', '.join(unknown)}.")
        return node

    def text(self, node: dict, key: str, what: str, kind: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, f"{what}: '{key}' must be non-empty text.")
        return self.fits(node, key, what, kind, " ".join(value.split()))

    def fits(self, node: dict, key: str, what: str, kind: str, value: str) -> str:
        """The value, if the database can store it: no NUL, within max_length."""
        if "\x00" in value:
            raise self.fail(node, f"{what}: '{key}' holds a NUL character.")
        limit = STORED_IN[kind][key].max_length
        if limit is not None and len(value) > limit:
            raise self.fail(
                node,
                f"{what}: '{key}' is {len(value)} characters long; at most {limit}.",
            )
        return value

    def integer(self, node: dict, key: str, what: str, low: int, high: int) -> int:
        value = node.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not low <= value <= high
        ):
            raise self.fail(
                node, f"{what}: '{key}' must be a whole number {low}-{high}."
            )
        return value

    def slug(self, node: dict, key: str, kind: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not SLUG_RE.match(value):
            raise self.fail(
                node, f"{kind} {key} {value!r} must be lowercase-hyphenated."
            )
        self.fits(node, key, f"{kind} {key}", kind, value)
        if value in self.seen[kind]:
            raise self.fail(node, f"{kind} {key} '{value}' is used twice.")
        self.seen[kind].add(value)
        return value

    def sequence(self, node: dict, key: str, what: str) -> list:
        value = node.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(node, f"{what}: '{key}' must be a non-empty list.")
        return value

    def terms(self, node: dict, key: str, vocabulary: str, what: str) -> tuple:
        """A non-empty list of slugs, each a term of the vocabulary file, once."""
        value = node.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(node, f"{what}: '{key}' must be a non-empty list of slugs.")
        known = self.vocabulary.slugs(vocabulary)
        for slug in value:
            if not isinstance(slug, str) or slug not in known:
                raise self.fail(
                    node,
                    f"{what}: {key} {slug!r} is not a term of the vocabulary "
                    f"({self.vocabulary.path.name}); add it there first.",
                )
        if len(set(value)) < len(value):
            raise self.fail(node, f"{what}: '{key}' lists a term twice.")
        return tuple(value)

    def publication(self, node: Any, extra: Set[str] = frozenset()) -> PublicationEntry:
        fields = {"pmid", "title", "first_author", "journal", "year"}
        self.mapping(node, "publication", fields, {"verified", "retracted"} | extra)
        what = f"publication {node.get('pmid')}"
        flags = {"verified": node.get("verified", True)}
        flags["retracted"] = node.get("retracted", False)
        for name, value in flags.items():
            if not isinstance(value, bool):
                raise self.fail(node, f"{what}: '{name}' must be true or false.")
        return PublicationEntry(
            pmid=self.integer(node, "pmid", what, 1, 2**31 - 1),
            title=self.text(node, "title", what, "publication"),
            first_author=self.text(node, "first_author", what, "publication"),
            journal=self.text(node, "journal", what, "publication"),
            year=self.integer(node, "year", what, 1800, 2100),
            **flags,
        )

    def evidence(self, node: Any, pmids: set[int]) -> EvidenceEntry:
        required = {"key", "pmid", "stance", "effect", "level", "finding", "rating"}
        optional = set(EVIDENCE_CHOICES) | EVIDENCE_TEXT | set(EVIDENCE_TERMS)
        optional |= {"quote", "not_reported"}
        self.mapping(node, "evidence", required, optional)
        key = self.slug(node, "key", "evidence")
        what = f"evidence '{key}'"
        values = {}
        for name, allowed in EVIDENCE_CHOICES.items():
            if name in node:
                if node[name] not in allowed:
                    raise self.fail(
                        node,
                        f"{what}: {name} {node[name]!r} is not one of "
                        f"{', '.join(allowed)}.",
                    )
                values[name] = node[name]
        if "ratio" in node:
            values["ratio"] = self.text(node, "ratio", what, "evidence")
        for name, vocabulary in EVIDENCE_TERMS.items():
            if name in node:
                values[name] = self.terms(node, name, vocabulary, what)
        if "quote" in node:
            values["quote"] = self.quote(node, what)
        if "not_reported" in node:
            values["not_reported"] = self.not_reported(node, what, values)
        pmid = self.integer(node, "pmid", what, 1, 2**31 - 1)
        if pmid not in pmids:
            raise self.fail(node, f"{what}: PMID {pmid} is not listed in publications.")
        return EvidenceEntry(
            key=key,
            pmid=pmid,
            finding=self.text(node, "finding", what, "evidence"),
            rating=self.integer(node, "rating", what, 1, 5),
            **values,
        )

    def quote(self, node: dict, what: str) -> str:
        """One sentence of the abstract: one line once YAML has folded it."""
        value = node["quote"]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, f"{what}: 'quote' must be non-empty text.")
        value = value.strip()
        if "\n" in value:
            raise self.fail(
                node,
                f"{what}: 'quote' must be one line (fold it with '>-', or write "
                "it on one line).",
            )
        if "\x00" in value:
            raise self.fail(node, f"{what}: 'quote' holds a NUL character.")
        if len(value) > QUOTE_MAX_LENGTH:
            raise self.fail(
                node,
                f"{what}: 'quote' is {len(value)} characters long; at most "
                f"{QUOTE_MAX_LENGTH} (one sentence of the abstract).",
            )
        return value

    def not_reported(self, node: dict, what: str, values: dict) -> tuple[str, ...]:
        """Context facets named as not reported: none given a value here."""
        listed = node["not_reported"]
        given = {name: values.get(FACETS[name].field) for name in CONTEXT_FACETS}
        problems = not_reported_problems(listed, given)
        if problems:
            raise self.fail(node, f"{what}: not_reported: {' '.join(problems)}")
        return tuple(listed)

    def formerly(self, node: dict, what: str) -> tuple[str, ...]:
        """The retired slugs of a claim, each a slug no other entry uses."""
        value = node["formerly"]
        if not isinstance(value, list):
            raise self.fail(node, f"{what}: 'formerly' must be a list of slugs.")
        for slug in value:
            if not isinstance(slug, str) or not SLUG_RE.match(slug):
                raise self.fail(
                    node, f"{what}: formerly {slug!r} must be lowercase-hyphenated."
                )
            self.fits(node, "slug", f"{what}: formerly", "claim", slug)
            if slug in self.seen["alias"]:
                raise self.fail(node, f"{what}: formerly '{slug}' is listed twice.")
            self.seen["alias"].add(slug)
        return tuple(value)

    def claim(self, node: Any, pmids: set[int]) -> ClaimEntry:
        required = {"slug", "statement", "setting", "evidence"}
        self.mapping(node, "claim", required, {"kind", "formerly"})
        slug = self.slug(node, "slug", "claim")
        what = f"claim '{slug}'"
        for name, allowed in (
            ("setting", Claim.Setting.values),
            ("kind", ClaimKind.values),
        ):
            if name in node and node[name] not in allowed:
                raise self.fail(
                    node,
                    f"{what}: {name} {node[name]!r} is not one of "
                    f"{', '.join(allowed)}.",
                )
        return ClaimEntry(
            slug=slug,
            statement=self.text(node, "statement", what, "claim"),
            setting=node["setting"],
            kind=node.get("kind", ClaimKind.EMPIRICAL),
            formerly=self.formerly(node, what) if "formerly" in node else (),
            line=node.line,
            evidence=tuple(
                self.evidence(item, pmids)
                for item in self.sequence(node, "evidence", what)
            ),
        )

    def topic(self, node: Any, pmids: set[int]) -> TopicEntry:
        self.mapping(node, "topic", {"slug", "name", "claims"}, {"description"})
        slug = self.slug(node, "slug", "topic")
        what = f"topic '{slug}'"
        return TopicEntry(
            slug=slug,
            name=self.text(node, "name", what, "topic"),
            description=self.text(node, "description", what, "topic")
            if "description" in node
            else "",
            claims=tuple(
                self.claim(item, pmids) for item in self.sequence(node, "claims", what)
            ),
        )

    def publications(self, root: dict) -> tuple[PublicationEntry, ...]:
        entries = [
            self.publication(n) for n in self.sequence(root, "publications", "file")
        ]
        pmids: set[int] = set()
        for node, entry in zip(root["publications"], entries, strict=True):
            if entry.pmid in pmids:
                raise self.fail(node, f"publication {entry.pmid} is listed twice.")
            pmids.add(entry.pmid)
        return tuple(entries)

    def review(self, root: dict) -> ReviewEntry:
        node = root["review"]
        publication = self.publication(node, extra={"slug", "summary"})
        if not isinstance(node.get("slug"), str) or not SLUG_RE.match(node["slug"]):
            raise self.fail(node, "review slug must be lowercase-hyphenated.")
        self.fits(node, "slug", "review", "review", node["slug"])
        return ReviewEntry(
            pmid=publication.pmid,
            slug=node["slug"],
            summary=self.text(node, "summary", "review", "review")
            if "summary" in node
            else "",
            publication=publication,
        )

    def aliases_retired(self, topics: tuple[TopicEntry, ...]) -> None:
        """A slug is a claim's or a retired one, never both."""
        for claim in (claim for topic in topics for claim in topic.claims):
            for slug in claim.formerly:
                if slug in self.seen["claim"]:
                    raise ReviewFileError(
                        f"{self.path}:{claim.line}: claim '{claim.slug}': formerly "
                        f"'{slug}' is the slug of a claim in the file; a slug is "
                        "a live claim's or a retired one, never both."
                    )

    def read(self, root: Any) -> ReviewData:
        self.mapping(root, "file", {"format", "review", "publications", "topics"})
        if root["format"] != FORMAT_VERSION:
            raise self.fail(root, f"format must be {FORMAT_VERSION}.")
        review = self.review(root)
        publications = self.publications(root)
        pmids = {p.pmid for p in publications}
        topics = tuple(
            self.topic(n, pmids) for n in self.sequence(root, "topics", "file")
        )
        self.aliases_retired(topics)
        return ReviewData(self.path, review, publications, self.vocabulary, topics)


def read_review_file(path: Path, vocabulary: Path = VOCABULARY_FILE) -> ReviewData:
    """Parse and validate the review data file, its terms against the
    vocabulary file."""
    try:
        terms = read_vocabulary_file(vocabulary, choices=choices_of(Evidence))
    except VocabularyFileError as exc:
        raise ReviewFileError(str(exc)) from exc
    root = read_with_lines(path, ReviewFileError)
    return _Reader(Path(path), terms).read(root)
