"""Releases: the curated content frozen as a dated, checksummed, self-describing
directory.

A release holds `release.json`, every field of every vocabulary term, review,
topic, claim, claim alias, publication and evidence record (an evidence
record's cancer types by slug; the source of truth a restore reads), its JSON
Schema, tables and citations for readers (`topics.csv`, `claims.csv`,
`evidence.csv`, `publications.csv`, `citations.bib`, `citations.ris`,
`citations.json`, written by the API's own CSV rows and citation formats), a
Frictionless `datapackage.json`, a README, the LICENSE, a CITATION.cff
(claims.exports.package) and `MANIFEST`, the SHA-256 of every file in the
format `sha256sum -c MANIFEST` checks.

A public release (the default) holds accepted evidence only and none of the
curators' workings (package.INTERNAL_FIELDS, usernames among them); an
internal one holds every row and field, users by username, as a full restore
needs. A restore verifies every checksum, then inserts every row as it was
(primary keys, timestamps and computed statuses included) into an empty
database, and recomputes every stored verdict that is not what the rules give
the restored evidence (a release of older rules, or one written by hand), all
in one transaction. Terms are the exception: a migrated database already
holds the vocabulary, so each term of the release is matched by vocabulary and
slug (added if missing) and takes the release's label and identifier. A
release of format 1, from before the vocabulary, held cancer type as free
text: it is mapped to terms as migration 0012 maps it.

Not in a release: history (django-simple-history), refresh runs and their
field-level change log, and user accounts, of which an internal release keeps
only the usernames that evidence refers to.
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from claims.exports import csv_rows, package
from claims.exports.citation_formats import bibtex, csl, ris
from claims.exports.plans import plan
from claims.exports.shapes import PublicationSerializer
from claims.freshness import data_version
from claims.models import (
    Claim,
    ClaimAlias,
    Evidence,
    Publication,
    Review,
    Term,
    Topic,
)
from claims.selectors import claims_drift
from claims.services import claims_recompute_status
from claims.status_rules import RULES_VERSION
from claims.vocabulary import cancer_type_links, shipped_version
from portal.version import PORTAL_VERSION

FORMAT_VERSION = 3
# Format 1 had no terms, and cancer type as free text (claims.vocabulary);
# format 3 added the scope (public or internal) and the self-description.
READABLE_VERSIONS = (1, 2, FORMAT_VERSION)
RELEASE_FILE = "release.json"
MANIFEST_FILE = "MANIFEST"
HASH_CHUNK = 1 << 20


class ReleaseError(Exception):
    """A release cannot be written or restored; the message says why."""


@dataclass(frozen=True)
class Table:
    """A curated model in release.json, and the field other rows cite it by."""

    name: str
    model: type[models.Model]
    key: str


# Parents first: the order a restore inserts them in.
TABLES = (
    Table("terms", Term, "id"),
    Table("publications", Publication, "pmid"),
    Table("reviews", Review, "slug"),
    Table("topics", Topic, "slug"),
    Table("claims", Claim, "slug"),
    Table("claim_aliases", ClaimAlias, "slug"),
    Table("evidence", Evidence, "id"),
)


@dataclass
class ReleaseReport:
    """Where a release is and how many rows of each kind it holds."""

    path: Path
    counts: dict[str, int]
    users_created: list[str] | None = None  # by a restore
    verdicts_recomputed: list[str] | None = None  # by a restore: claim slugs

    def summary(self) -> str:
        rows = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        if self.users_created is None:
            return f"{self.path}: {rows}"
        created = ", ".join(self.users_created) or "none"
        recomputed = self.verdicts_recomputed or []
        slugs = f" ({', '.join(recomputed)})" if recomputed else ""
        return (
            f"{self.path}: {rows}; inactive users created: {created}; "
            f"verdicts recomputed to the rules: {len(recomputed)}{slugs}"
        )


# -- Rows: every stored field, foreign keys by natural key ------------------------


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if not getattr(f, "generated", False)
    ]


def _key_of(model: type[models.Model]) -> str:
    """The field a row of `model` is referred to by in release.json."""
    if model is get_user_model():
        return model.USERNAME_FIELD
    return next(table.key for table in TABLES if table.model is model)


def _encode(obj: models.Model, f: models.Field) -> Any:
    if f.is_relation:
        related = getattr(obj, f.name)
        return None if related is None else getattr(related, _key_of(f.related_model))
    value = f.value_from_object(obj)
    # Full ISO 8601, microseconds included (Django's JSON encoder drops them).
    return value.isoformat() if isinstance(value, date | datetime) else value


def _many(model: type[models.Model]) -> list[models.ManyToManyField]:
    """Many-to-many fields to terms, each written as a list of term slugs."""
    return list(model._meta.many_to_many)


def written_fields(table: Table, *, internal: bool) -> list[models.Field]:
    """The fields of a table's rows in release.json: a public release leaves
    out the portal's bookkeeping (claims.exports.package.INTERNAL_FIELDS)."""
    omitted = set() if internal else package.INTERNAL_FIELDS.get(table.name, set())
    return [f for f in _fields(table.model) if f.name not in omitted]


def _published(table: Table, *, internal: bool) -> models.QuerySet:
    """The rows of a table a release holds: a public one, accepted evidence
    only (drafts, submitted and rejected records are the curators')."""
    rows = table.model.objects.all()
    if table.model is Evidence and not internal:
        rows = rows.filter(status=Evidence.Status.ACCEPTED)
    return rows


def table_rows(table: Table, *, internal: bool = True) -> list[dict[str, Any]]:
    """Every row of a curated table a release holds, in its natural-key order."""
    fields, many = written_fields(table, internal=internal), _many(table.model)
    related = [f.name for f in fields if f.is_relation]
    rows = (
        _published(table, internal=internal)
        .select_related(*related)
        .prefetch_related(*(f.name for f in many))
        .order_by(table.key)
    )
    return [
        {f.name: _encode(obj, f) for f in fields}
        | {f.name: sorted(t.slug for t in getattr(obj, f.name).all()) for f in many}
        for obj in rows.iterator(chunk_size=2000)
    ]


# -- Reader's files: the API's CSV rows and citation formats ----------------------


# A paper as the API's citation exports see it, without the API's own URL.
CITED = tuple(f for f in PublicationSerializer.Meta.fields if f != "url")


def _csv(table: csv_rows.Table, queryset) -> str:
    return "".join(csv_rows.csv_lines(table.stream(queryset), list(table.columns)))


def _citations(render) -> str:
    publications = Publication.objects.order_by("pmid")
    papers = plan(PublicationSerializer, CITED).stream(publications)
    return "".join(render(paper) for paper in papers)


def _csl_json() -> str:
    publications = Publication.objects.order_by("pmid")
    papers = plan(PublicationSerializer, CITED).stream(publications)
    items = [csl(paper) for paper in papers]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def reader_files(*, internal: bool = True) -> dict[str, str]:
    """CSV tables and citations, as the API exports them: the evidence of
    every workflow state in an internal release, the accepted in a public."""
    evidence = Evidence.objects.order_by("pk")
    if not internal:
        evidence = evidence.filter(status=Evidence.Status.ACCEPTED)
    return {
        "topics.csv": _csv(
            csv_rows.TOPICS, Topic.objects.order_by(*Topic._meta.ordering)
        ),
        "claims.csv": _csv(
            csv_rows.CLAIMS, Claim.objects.order_by(*Claim._meta.ordering)
        ),
        "evidence.csv": _csv(csv_rows.EVIDENCE, evidence),
        "publications.csv": _csv(
            csv_rows.PUBLICATIONS, Publication.objects.order_by("pmid")
        ),
        "citations.bib": _citations(bibtex),
        "citations.ris": _citations(ris),
        package.CSL_FILE: _csl_json(),
    }


def release_header(*, now: datetime, internal: bool) -> dict[str, Any]:
    """What release.json says of itself before its tables."""
    return {
        "format_version": FORMAT_VERSION,
        "scope": "internal" if internal else "public",
        "portal_version": PORTAL_VERSION,
        "data_version": data_version().token,
        "rules_version": RULES_VERSION,
        "vocabulary_version": shipped_version(),
        "license": package.license_id(),
        "created_at": now.isoformat(),
    }


def release_document(*, now: datetime, internal: bool = True) -> dict[str, Any]:
    """The content of release.json."""
    tables = {table.name: table_rows(table, internal=internal) for table in TABLES}
    counts = {name: len(rows) for name, rows in tables.items()}
    header = release_header(now=now, internal=internal)
    if not internal:
        header["data_version"] = _published_version(tables, counts)
    return {**header, "counts": counts, **tables}


def _published_version(tables: dict[str, list[dict]], counts: dict[str, int]) -> str:
    """A public release's data version, of the rows it publishes alone: their
    last change and their counts. The database's own (data_version) counts
    and dates drafts and rejected records too, which a public release must
    not tell."""
    changed = [
        datetime.fromisoformat(row["updated_at"])
        for rows in tables.values()
        for row in rows
        if row.get("updated_at")
    ]
    last = max(changed).isoformat() if changed else ""
    rows = ",".join(f"{name}={n}" for name, n in sorted(counts.items()))
    return f"{last}|{rows}|rules={RULES_VERSION}"


def release_schema(*, internal: bool) -> dict[str, Any]:
    """The JSON Schema of a release.json of this scope."""
    return package.release_json_schema(
        {
            table.name: (written_fields(table, internal=internal), _many(table.model))
            for table in TABLES
        },
        _key_of,
    )


# -- Writing: staged, checksummed, renamed into place -----------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(directory: Path) -> None:
    files = sorted(p for p in directory.iterdir() if p.name != MANIFEST_FILE)
    lines = "".join(f"{sha256_file(p)}  {p.name}\n" for p in files)
    (directory / MANIFEST_FILE).write_text(lines, encoding="utf-8")


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """Every query sees the same state, so a release never mixes two of them."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # SQLite's transactions are serializable already (and, being IMMEDIATE
        # here, make writers wait the second or two an export of the review
        # takes); PostgreSQL's default, read committed, would let each query
        # see newer commits.
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write_files(directory: Path, *, now: datetime, internal: bool) -> dict[str, int]:
    with _one_snapshot():
        document = release_document(now=now, internal=internal)
        files = reader_files(internal=internal)
    # Keys in a fixed order (the header, then each model's fields as declared)
    # rather than sorted, so the file reads like the models.
    files[RELEASE_FILE] = _json(document)
    tables = {table.name for table in TABLES}
    header = {key: value for key, value in document.items() if key not in tables}
    files[package.SCHEMA_FILE] = _json(release_schema(internal=internal))
    files[package.LICENSE_FILE] = package.license_text()
    files[package.CITATION_FILE] = package.citation_cff(header=header)
    files[package.README_FILE] = package.readme(
        header=header,
        files=sorted(
            [*files, package.README_FILE, package.PACKAGE_FILE, MANIFEST_FILE]
        ),
    )
    digests = {
        name: hashlib.sha256(content.encode("utf-8")).hexdigest()
        for name, content in files.items()
    }
    files[package.PACKAGE_FILE] = _json(
        package.package_descriptor(header=header, files=files, digests=digests)
    )
    for name, content in files.items():
        # newline="": the CSV and RIS line ends (CRLF) are part of the format.
        with (directory / name).open("w", encoding="utf-8", newline="") as file:
            file.write(content)
    _write_manifest(directory)
    for path in directory.iterdir():
        path.chmod(0o444)
    return document["counts"]


def release_default_path(day: date, *, internal: bool = False) -> Path:
    """RELEASES_DIR/<day> (var/releases), or <day>-2, -3, ... when that one
    exists; an internal release under var/backups, which is never served."""
    root = Path(settings.VAR_DIR) / "backups" if internal else settings.RELEASES_DIR
    names = (day.isoformat() if n == 1 else f"{day.isoformat()}-{n}" for n in count(1))
    return next(root / name for name in names if not (root / name).exists())


def release_export(
    *, output: Path | None = None, now: datetime | None = None, internal: bool = False
) -> ReleaseReport:
    """Write a dated, checksummed release of the curated content; never
    overwrite. Public by default (accepted content, no usernames or
    bookkeeping); `internal`, every row and field, as a restore needs."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    target = Path(output) if output else release_default_path(day, internal=internal)
    if target.exists():
        raise ReleaseError(f"{target} exists; a release is never overwritten.")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside the target, so the final rename is atomic: a release
    # directory is either complete or absent.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        counts = _write_files(staging, now=now, internal=internal)
        if target.exists():
            raise ReleaseError(f"{target} appeared while writing; not overwritten.")
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(target, 0o755)  # mkdtemp made it 0700
    return ReleaseReport(path=target, counts=counts)


# -- Verifying ----------------------------------------------------------------------


def _manifest_entries(directory: Path) -> dict[str, str]:
    """{file name: SHA-256} from MANIFEST (sha256sum's text or binary format)."""
    manifest = directory / MANIFEST_FILE
    if not manifest.is_file():
        raise ReleaseError(f"{directory} has no {MANIFEST_FILE}: not a release.")
    entries = {}
    for number, line in enumerate(manifest.read_text("utf-8").splitlines(), 1):
        digest, _, name = line.partition(" ")
        name = name.removeprefix(" ").removeprefix("*")
        if len(digest) != 64 or not name or "/" in name or name.startswith("."):
            raise ReleaseError(f"{MANIFEST_FILE} line {number} is malformed.")
        entries[name] = digest.lower()
    return entries


def release_verify(directory: Path) -> None:
    """Check every file against MANIFEST; the error names the first bad file."""
    entries = _manifest_entries(directory)
    present = {p.name for p in directory.iterdir()} - {MANIFEST_FILE}
    unlisted = sorted(present - entries.keys())
    if unlisted:
        raise ReleaseError(f"{unlisted[0]} is not listed in {MANIFEST_FILE}.")
    if RELEASE_FILE not in entries:
        raise ReleaseError(f"{MANIFEST_FILE} does not list {RELEASE_FILE}.")
    for name, digest in sorted(entries.items()):
        if name not in present:
            raise ReleaseError(f"{name} is listed in {MANIFEST_FILE} but missing.")
        listed = directory / name
        # Only the release's own plain files: a link may point anywhere.
        if listed.is_symlink() or not listed.is_file():
            raise ReleaseError(
                f"{name} is listed in {MANIFEST_FILE} but is not a plain file "
                "(a directory or a symbolic link)."
            )
        if listed.resolve().parent != directory.resolve():
            raise ReleaseError(f"{name} lies outside the release directory.")
        if sha256_file(directory / name) != digest:
            raise ReleaseError(
                f"{name} does not match its checksum in {MANIFEST_FILE}: "
                "the release was changed after it was written."
            )


def release_read(directory: Path) -> dict[str, Any]:
    """The verified content of a release's release.json."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ReleaseError(f"{directory} is not a directory.")
    release_verify(directory)
    try:
        document = json.loads((directory / RELEASE_FILE).read_text("utf-8"))
    except ValueError as exc:
        raise ReleaseError(f"{RELEASE_FILE} is not valid JSON: {exc}") from exc
    version = document.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ReleaseError(
            f"{RELEASE_FILE} has format version {version}; this portal reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}."
        )
    if version == 1:
        document.setdefault("terms", [])
    # Claims' retired slugs came after format 2 was fixed; older ones have none.
    document.setdefault("claim_aliases", [])
    missing = [table.name for table in TABLES if table.name not in document]
    if missing:
        raise ReleaseError(f"{RELEASE_FILE} lacks {', '.join(missing)}.")
    return document


# -- Restoring ----------------------------------------------------------------------


def _check_empty() -> None:
    held = [
        table.name
        for table in TABLES
        if table.model is not Term and table.model.objects.exists()
    ]
    if held:
        raise ReleaseError(
            f"The database already holds {', '.join(held)}; a release is restored "
            "only into an empty database (a new one, after `manage.py migrate`)."
        )


def _usernames(document: dict[str, Any]) -> set[str]:
    user_model = get_user_model()
    names: set[str] = set()
    for table in TABLES:
        for f in _fields(table.model):
            if f.is_relation and f.related_model is user_model:
                names.update(row.get(f.name) for row in document[table.name])
    return names - {None}


def _users_ensure(names: set[str]) -> tuple[dict[str, int], list[str]]:
    """{username: pk}, creating inactive users with unusable passwords if missing."""
    user_model = get_user_model()
    key = user_model.USERNAME_FIELD
    found = user_model.objects.filter(**{f"{key}__in": names})
    pks = dict(found.values_list(key, "pk"))
    created = sorted(names - pks.keys())
    for name in created:
        user = user_model(**{key: name}, is_active=False)
        user.set_unusable_password()
        user.save()
        pks[name] = user.pk
    return pks, created


def _decode(f: models.Field, value: Any, pks: dict) -> Any:
    if f.is_relation:
        return None if value is None else pks[f.related_model][value]
    return f.to_python(value)


def _insert(table: Table, rows: list[dict[str, Any]], pks: dict) -> dict:
    """Insert rows as they are; return {natural key: pk} for the rows citing them."""
    if table.model is Term:
        return _terms_match(rows)
    fields = {f.name: f for f in _fields(table.model)}
    many = {f.name: f for f in _many(table.model)}
    for row in rows:
        obj = table.model()  # a field the release predates keeps its default
        try:
            for name, value in row.items():
                if name not in many:
                    field = fields[name]
                    setattr(obj, field.attname, _decode(field, value, pks))
            # Choices, lengths and validators, as any door checks them; uniqueness
            # is the database's, as the insert order cannot satisfy it earlier.
            obj.full_clean(validate_unique=False, validate_constraints=False)
            # raw: stored as given (auto_now timestamps kept, no history record).
            obj.save_base(raw=True, force_insert=True)
            for name, field in many.items():
                _links_insert(field, obj.pk, row.get(name, []))
        except (KeyError, ValidationError, IntegrityError) as exc:
            where = f"{table.name} row id={row.get('id')}"
            raise ReleaseError(
                f"{RELEASE_FILE}: {where} cannot be restored: {exc!r}"
            ) from exc
    return {row[table.key]: row["id"] for row in rows}


def _terms_match(rows: list[dict[str, Any]]) -> dict:
    """Each release term as the database's term of its vocabulary and slug,
    with the release's label and identifier (and times); {id: pk}."""
    fields = [f for f in _fields(Term) if not f.primary_key]
    found = {}
    for row in rows:
        term = Term.objects.filter(vocabulary=row["vocabulary"], slug=row["slug"])
        obj = term.first() or Term()
        for f in fields:
            setattr(obj, f.attname, f.to_python(row[f.name]))
        obj.save_base(raw=True, force_insert=obj.pk is None)
        found[row["id"]] = obj.pk
    return found


def _links_insert(field: models.ManyToManyField, pk: int, slugs: list[str]) -> None:
    """A record's terms, by slug in the field's vocabulary; a slug the
    database lacks is an error (KeyError)."""
    terms = Term.objects.filter(**field.remote_field.limit_choices_to)
    by_slug = dict(terms.filter(slug__in=slugs).values_list("slug", "pk"))
    through = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    through.objects.bulk_create(
        [through(**{source: pk, target: by_slug[slug]}) for slug in slugs]
    )


def _free_text_cancer_types(document: dict[str, Any]) -> list[tuple[int, str]]:
    """Format 1: each evidence row's free-text cancer type, taken off the row."""
    if document["format_version"] != 1:
        return []
    return [
        (row["id"], row.pop("cancer_type", "") or "") for row in document["evidence"]
    ]


def _reset_sequences() -> None:
    """Let new rows follow the restored primary keys (PostgreSQL sequences)."""
    models_ = [table.model for table in TABLES]
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _verdicts_recompute() -> list[str]:
    """The slugs of the restored claims whose stored verdict was not the rules',
    now recomputed: a verdict is derived from the evidence, never restored."""
    drifted = [claim for claim, _ in claims_drift()]
    claims_recompute_status(claim_ids=[claim.pk for claim in drifted])
    return sorted(claim.slug for claim in drifted)


@transaction.atomic
def _restore(document: dict[str, Any], path: Path) -> ReleaseReport:
    _check_empty()
    legacy = _free_text_cancer_types(document)
    users, created = _users_ensure(_usernames(document))
    pks: dict = {get_user_model(): users}
    for table in TABLES:
        pks[table.model] = _insert(table, document[table.name], pks)
    links = Evidence.cancer_types.through
    links.objects.bulk_create(
        links(evidence_id=pk, term_id=term)
        for pk, term in cancer_type_links(Term, legacy)
    )
    _reset_sequences()
    return ReleaseReport(
        path=path,
        counts={table.name: len(document[table.name]) for table in TABLES},
        users_created=created,
        verdicts_recomputed=_verdicts_recompute(),
    )


def release_import(*, path: Path) -> ReleaseReport:
    """Restore a verified release into an empty database, exactly, except for the
    verdicts that are not the rules': those are recomputed and named."""
    return _restore(release_read(path), Path(path))


# -- Published releases: what /releases/ lists --------------------------------------

# A release directory's name: its day, and -2, -3, ... for a second that day.
RELEASE_NAME = re.compile(r"\d{4}-\d{2}-\d{2}(?:-\d+)?")


@dataclass(frozen=True)
class PublishedRelease:
    """A public release in RELEASES_DIR, as its package describes it."""

    name: str
    path: Path
    created: datetime
    descriptor: dict[str, Any]
    files: dict[str, str]  # {file name: SHA-256}, MANIFEST's

    @property
    def counts(self) -> dict[str, int]:
        return self.descriptor.get("portal:counts", {})

    def sizes(self) -> dict[str, int]:
        return {name: (self.path / name).stat().st_size for name in self.files}


def published_releases() -> list[PublishedRelease]:
    """The public releases under RELEASES_DIR, newest first. A directory is
    listed only if it is named as a release, verifies against its MANIFEST
    (every file listed, each a plain file of the directory, not a link, with
    its checksum: release_verify) and has a package that says it is public:
    an internal release, a half-copied or altered one, never is."""
    root = Path(settings.RELEASES_DIR)
    if not root.is_dir():
        return []
    found = []
    for path in root.iterdir():
        if RELEASE_NAME.fullmatch(path.name) and path.is_dir():
            release = _published_release_at(path)
            if release is not None:
                found.append(release)
    return sorted(found, key=lambda r: (r.created, r.name), reverse=True)


def _published_release_at(path: Path) -> PublishedRelease | None:
    try:
        _verified(path)
        files = _manifest_entries(path)
        descriptor = json.loads((path / package.PACKAGE_FILE).read_text("utf-8"))
        if not isinstance(descriptor, dict):
            return None
        created = datetime.fromisoformat(str(descriptor["created"]))
    except (ReleaseError, OSError, ValueError, KeyError, TypeError):
        return None
    if created.tzinfo is None or descriptor.get("portal:scope") != "public":
        return None
    return PublishedRelease(path.name, path, created, descriptor, files)


# {release directory: the stat of its files when last verified}: a release is
# hashed again only when a file of it changes.
_VERIFIED: dict[Path, tuple] = {}


def _verified(path: Path) -> None:
    """release_verify, once for each state of the directory's files."""
    stats = {p.name: p.lstat() for p in path.iterdir()}
    state = tuple(
        sorted(
            (name, st.st_mode, st.st_size, st.st_mtime_ns) for name, st in stats.items()
        )
    )
    if _VERIFIED.get(path) == state:
        return
    _VERIFIED.pop(path, None)
    release_verify(path)
    _VERIFIED[path] = state


def published_release(name: str) -> PublishedRelease | None:
    return next((r for r in published_releases() if r.name == name), None)
