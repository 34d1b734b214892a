"""What makes a release describe itself: its Frictionless Data Package
(`datapackage.json`: every table's columns typed, keyed and with each coded
value defined), the JSON Schema of `release.json`, a README, the data's
license and a CITATION.cff.

Each is built from the models, the CSV tables (claims.exports.csv_rows) and
the codebook (claims.exports.codebook), so it cannot drift from the data it
describes; the tests validate a written release with the `frictionless` and
`jsonschema` packages.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models

from claims.exports import csv_rows
from claims.exports.codebook import CODEBOOK, categories

PACKAGE_FILE = "datapackage.json"
SCHEMA_FILE = "release.schema.json"
README_FILE = "README.md"
LICENSE_FILE = "LICENSE"
CITATION_FILE = "CITATION.cff"
CSL_FILE = "citations.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PACKAGE_NAME = "msc-tumor-microenvironment-evidence"
PACKAGE_TITLE = (
    "Evidence for the claims of Bergfeld & DeClerck (2010), bone marrow-derived "
    "mesenchymal stem cells and the tumor microenvironment"
)
PUBLISHER = "The curators of the MSC and tumor microenvironment evidence portal"
REVIEW_PMID = 20411303
REVIEW_REFERENCE = {
    "type": "article",
    "title": "Bone marrow-derived mesenchymal stem cells and the tumor "
    "microenvironment",
    "authors": [
        {"family-names": "Bergfeld", "given-names": "S. A."},
        {"family-names": "DeClerck", "given-names": "Y. A."},
    ],
    "journal": "Cancer Metastasis Rev",
    "year": 2010,
    "volume": 29,
    "issue": "2",
    "start": 249,
    "end": 261,
    "doi": "10.1007/s10555-010-9222-7",
    "identifiers": [
        {"type": "other", "value": f"PMID:{REVIEW_PMID}", "description": "PubMed"}
    ],
}

# The curators' workings, never in a public release: who wrote and reviewed
# what and why, re-review flags, curators' notes and review flags on papers,
# PubMed's last error and the refresh's record hash. The review file's keys
# and hashes stay (the file is public): a database restored from a public
# release still takes `load_review`.
INTERNAL_FIELDS = {
    "publications": {"last_error", "record_hash", "needs_review", "review_note"},
    "evidence": {
        "created_by",
        "submitted_by",
        "reviewed_by",
        "review_reason",
        "needs_rereview",
        "rereview_reason",
    },
}

# -- The CSV tables' columns ------------------------------------------------------

_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "topics.csv": {
        "slug": ("string", "The topic's identifier, as in its URL."),
        "name": ("string", "The topic's name."),
        "description": ("string", "What the topic covers."),
        "position": ("integer", "The topic's place in the review's order."),
        "review": ("string", "The review the topic belongs to (its slug)."),
        "claim_count": ("integer", "How many claims the topic holds."),
    },
    "claims.csv": {
        "slug": ("string", "The claim's identifier, as in its URL."),
        "topic": ("string", "The claim's topic (topics.csv slug)."),
        "statement": ("string", "The claim, in one sentence."),
        "setting": ("string", "Where the claim is about."),
        "status": ("string", "The verdict the status rules give the evidence."),
        "status_reason": ("string", "Why the rules give that verdict."),
        "status_rules_version": (
            "string",
            "The version of the status rules that gave the verdict, as v<major>."
            "<minor>.",
        ),
        "papers": ("integer", "Counted papers, on either side."),
        "papers_supporting": ("integer", "Counted papers that support the claim."),
        "papers_refuting": ("integer", "Counted papers that refute the claim."),
        "papers_qualifying": ("integer", "Counted papers that qualify the claim."),
        "papers_in_vivo": ("integer", "Counted papers with an in vivo finding."),
        "papers_human": ("integer", "Counted papers with human data."),
        "mean_rating": ("number", "The mean rating (1-5) of the counted findings."),
        "thin": ("boolean", "The verdict rests on few papers."),
        "evidence": ("integer", "Accepted evidence records, counted or not."),
        **{
            stance: ("integer", f"Accepted records whose stance is {stance}.")
            for stance in ("supports", "refutes", "qualifies")
        },
        **{
            effect: ("integer", f"Accepted records whose effect is {effect}.")
            for effect in ("pro_tumor", "anti_tumor", "no_effect", "mixed")
        },
        "not_assessed": ("integer", "Accepted records whose effect is not_assessed."),
    },
    "evidence.csv": {
        "id": ("integer", "The record's identifier, as in /evidence/<id>/."),
        "claim": ("string", "The claim the finding bears on (claims.csv slug)."),
        "pmid": ("integer", "The paper's PubMed ID (publications.csv pmid)."),
        "year": ("integer", "The paper's year of publication."),
        "retracted": ("boolean", "The paper is retracted."),
        "stance": ("string", "How the finding bears on the claim."),
        "effect": ("string", "The effect of MSC on the tumor the paper reports."),
        "level": ("string", "The kind of evidence."),
        "msc_source": ("string", "The tissue the MSC came from."),
        "species": ("string", "The species of the MSC."),
        "cancer_types": (
            "string",
            "Every tumor type of the finding, by label, joined by '; '.",
        ),
        "model": ("string", "The experimental system."),
        "immune_status": ("string", "The host animal's immune status."),
        "delivery": ("string", "How MSC met the tumor."),
        "msc_tumor_ratio": ("string", "The MSC to tumor cell ratio, if reported."),
        "not_reported": (
            "string",
            "The context facets that apply but the abstract does not state, "
            "joined by '; '. An empty facet not named here does not apply.",
        ),
        "finding": ("string", "What the paper found, in the curator's words."),
        "quote": ("string", "One sentence verbatim from the paper's abstract."),
        "rating": ("integer", "1-5 by the rating rubric; below 3 is not counted."),
        "workflow": ("string", "The record's curation state."),
    },
    "publications.csv": {
        "pmid": ("integer", "The PubMed ID."),
        "title": ("string", "The title, as PubMed gives it."),
        "authors": ("string", "The authors, 'Last Initials', joined by '; '."),
        "journal": ("string", "The journal."),
        "year": ("integer", "The year of publication."),
        "volume": ("string", "The volume."),
        "issue": ("string", "The issue."),
        "pages": ("string", "The pages."),
        "doi": ("string", "The DOI."),
        "pmcid": ("string", "The PubMed Central ID."),
        "metadata_state": ("string", "Whether the metadata came from PubMed."),
        "retracted": ("boolean", "PubMed marks the paper retracted."),
    },
}
# The tables' CSV writers, keys and links.
TABLES: dict[str, dict[str, Any]] = {
    "topics.csv": {"csv": csv_rows.TOPICS, "key": "slug", "links": {}},
    "claims.csv": {
        "csv": csv_rows.CLAIMS,
        "key": "slug",
        "links": {"topic": ("topics", "slug")},
        "codes": "claims",
    },
    "evidence.csv": {
        "csv": csv_rows.EVIDENCE,
        "key": "id",
        "links": {"claim": ("claims", "slug"), "pmid": ("publications", "pmid")},
        "codes": "evidence",
        "renamed": {"workflow": "status"},
    },
    "publications.csv": {
        "csv": csv_rows.PUBLICATIONS,
        "key": "pmid",
        "links": {},
        "codes": "publications",
    },
}


def _field(table: str, column: str) -> dict[str, Any]:
    kind, description = _COLUMNS[table][column]
    field: dict[str, Any] = {"name": column, "type": kind, "description": description}
    spec = TABLES[table]
    codes = spec.get("codes")
    coded = spec.get("renamed", {}).get(column, column)
    if codes and coded in CODEBOOK[codes]:
        values = categories(codes, coded)
        field["constraints"] = {"enum": [value["value"] for value in values]}
        # Data Package v2's categories; v1 readers read the description.
        field["categories"] = [
            {"value": value["value"], "label": value["label"]} for value in values
        ]
        field["description"] += " " + " ".join(
            f"{value['value']}: {value['definition']}" for value in values
        )
    if column == spec["key"]:
        field["constraints"] = {"required": True, "unique": True}
    return field


def table_schema(table: str) -> dict[str, Any]:
    """A CSV table's Table Schema: its columns, typed, its key and its links."""
    spec = TABLES[table]
    return {
        "fields": [_field(table, column) for column in spec["csv"].columns],
        "primaryKey": [spec["key"]],
        "foreignKeys": [
            {"fields": [column], "reference": {"resource": other, "fields": [key]}}
            for column, (other, key) in spec["links"].items()
        ],
        "missingValues": [""],
    }


# -- datapackage.json ---------------------------------------------------------------


def license_id() -> str:
    return settings.DATA_LICENSE


def license_text() -> str:
    return Path(settings.DATA_LICENSE_FILE).read_text(encoding="utf-8")


def package_descriptor(
    *, header: dict[str, Any], files: dict[str, str], digests: dict[str, str]
) -> dict[str, Any]:
    """datapackage.json for a release with these files ({name: sha256})."""

    def resource(path: str, name: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "path": path,
            "hash": f"sha256:{digests[path]}",
            "bytes": len(files[path].encode("utf-8")),
            **extra,
        }

    resources = [
        resource(
            table,
            name=table.removesuffix(".csv"),
            type="table",
            profile="tabular-data-resource",
            format="csv",
            mediatype="text/csv",
            encoding="utf-8",
            schema=table_schema(table),
        )
        for table in TABLES
    ]
    others = {
        "release.json": ("release", "application/json", "json"),
        SCHEMA_FILE: ("release-schema", "application/schema+json", "json"),
        CSL_FILE: ("citations-csl", "application/vnd.citationstyles.csl+json", "json"),
        "citations.bib": ("citations-bibtex", "application/x-bibtex", "bib"),
        "citations.ris": (
            "citations-ris",
            "application/x-research-info-systems",
            "ris",
        ),
        README_FILE: ("readme", "text/markdown", "md"),
        LICENSE_FILE: ("license", "text/plain", "txt"),
        CITATION_FILE: ("citation", "application/x-yaml", "cff"),
    }
    for name, (resource_name, mediatype, fmt) in others.items():
        extra = {"jsonSchema": SCHEMA_FILE} if name == "release.json" else {}
        resources.append(
            resource(
                name,
                name=resource_name,
                # Said, so that no reader takes release.schema.json for a
                # Table Schema by its name.
                type="json" if fmt == "json" else "file",
                mediatype=mediatype,
                format=fmt,
                encoding="utf-8",
                **extra,
            )
        )
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": (
            "The claims of the review, each with the evidence that bears on it "
            "(one finding of one paper, tied to its PubMed ID and coded by "
            "experimental context) and the verdict the portal's status rules "
            "give that evidence. A CSV cell whose text begins with =, +, -, @, a "
            "tab or a carriage return is written with a leading apostrophe, so "
            "that a spreadsheet reads it as text, not a formula; release.json "
            "holds every value as it is. "
            + (
                "Accepted evidence only."
                if header["scope"] == "public"
                else "Internal: every workflow state, with curators' usernames."
            )
        ),
        "version": release_version(header),
        "created": header["created_at"],
        "licenses": [_license()],
        "sources": [
            {
                "title": "Bergfeld SA, DeClerck YA. Cancer Metastasis Rev. 2010",
                "path": f"https://pubmed.ncbi.nlm.nih.gov/{REVIEW_PMID}/",
            }
        ],
        "keywords": ["mesenchymal stem cells", "tumor microenvironment", "evidence"],
        # This portal's own properties (a Data Package allows its own).
        "portal:version": header["portal_version"],
        "portal:data_version": header["data_version"],
        "portal:scope": header["scope"],
        "portal:rules_version": header["rules_version"],
        "portal:vocabulary_version": header["vocabulary_version"],
        "portal:counts": header["counts"],
        "resources": resources,
    }


LICENSES = {
    "CC0-1.0": (
        "CC0 1.0 Universal (public domain dedication)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "ODC-By-1.0": (
        "Open Data Commons Attribution License 1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
}


def _license() -> dict[str, str]:
    """The license as a Data Package names it; one this module does not know
    (DATA_LICENSE, with its text in DATA_LICENSE_FILE) by its identifier."""
    if license_id() not in LICENSES:
        return {"name": license_id()}
    title, path = LICENSES[license_id()]
    return {"name": license_id(), "title": title, "path": path}


# -- release.schema.json --------------------------------------------------------------

_JSON_TYPES: dict[type[models.Field], dict[str, Any]] = {
    models.BigAutoField: {"type": "integer"},
    models.AutoField: {"type": "integer"},
    models.IntegerField: {"type": "integer"},
    models.PositiveIntegerField: {"type": "integer", "minimum": 0},
    models.PositiveSmallIntegerField: {"type": "integer", "minimum": 0},
    models.PositiveBigIntegerField: {"type": "integer", "minimum": 0},
    models.FloatField: {"type": "number"},
    models.BooleanField: {"type": "boolean"},
    models.DateTimeField: {"type": "string", "format": "date-time"},
    models.DateField: {"type": "string", "format": "date"},
    models.JSONField: {},
}


def _json_type(field: models.Field, key_of: Callable[[type], str]) -> dict[str, Any]:
    if field.is_relation:
        # A row names the row it refers to by that row's key (a slug, a PMID).
        target = field.related_model._meta.get_field(key_of(field.related_model))
        kind = {
            k: v for k, v in _json_type(target, key_of).items() if k != "description"
        }
    else:
        kind = next(
            (dict(t) for cls, t in _JSON_TYPES.items() if type(field) is cls),
            None,
        )
        if kind is None:
            kind = next(
                (dict(t) for cls, t in _JSON_TYPES.items() if isinstance(field, cls)),
                {"type": "string"},
            )
        if isinstance(field, models.CharField) and field.max_length:
            kind["maxLength"] = field.max_length
        if field.choices:
            # A blank one ("") is a facet the finding does not state.
            blank = [""] if field.blank else []
            kind["enum"] = [str(value) for value, _ in field.choices] + blank
    if field.null and "type" in kind:
        kind = {"anyOf": [kind, {"type": "null"}]}
    if field.help_text:
        kind["description"] = str(field.help_text)
    return kind


def release_json_schema(
    tables: dict[str, tuple[list[models.Field], list[models.ManyToManyField]]],
    key_of: Callable[[type], str],
) -> dict[str, Any]:
    """The JSON Schema of release.json: its header, then each table's rows
    ({table: (fields, many-to-many fields)} as written) with each field typed
    as the model stores it, its choices as an enumeration, a reference by the
    key `key_of` names for the model it refers to."""
    properties: dict[str, Any] = {
        "format_version": {"type": "integer"},
        "scope": {"enum": ["public", "internal"]},
        "portal_version": {"type": "string"},
        "data_version": {"type": "string"},
        "rules_version": {"type": "string"},
        "vocabulary_version": {"type": ["string", "integer"]},
        "license": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    }
    for name, (fields, many) in tables.items():
        row = {f.name: _json_type(f, key_of) for f in fields}
        # Each coded field's values defined (claims.exports.codebook).
        for field in CODEBOOK.get(name, {}):
            if field in row:
                defined = " ".join(
                    f"{c['value']}: {c['definition']}" for c in categories(name, field)
                )
                base = row[field].get("description", "")
                row[field]["description"] = f"{base} {defined}".strip()
        row |= {f.name: {"type": "array", "items": {"type": "string"}} for f in many}
        properties[name] = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": row,
                "required": list(row),
                "additionalProperties": False,
            },
        }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "release.json",
        "description": "One release of the portal's curated content.",
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


# -- README, CITATION.cff ---------------------------------------------------------


def readme(*, header: dict[str, Any], files: list[str]) -> str:
    counts = "\n".join(f"- {name}: {n}" for name, n in header["counts"].items())
    scope = (
        "Accepted evidence only: drafts, submitted and rejected records, "
        "curators' usernames and the portal's bookkeeping are left out."
        if header["scope"] == "public"
        else "INTERNAL: every workflow state, with curators' usernames and the "
        "portal's bookkeeping. Not for publication."
    )
    listing = "\n".join(f"- `{name}`: {FILE_ROLES[name]}" for name in files)
    title, url = LICENSES.get(license_id(), (license_id(), ""))
    return f"""# {PACKAGE_TITLE}

A release of the curated evidence portal for the review Bergfeld SA, DeClerck
YA. Bone marrow-derived mesenchymal stem cells and the tumor
microenvironment. Cancer Metastasis Rev. 2010;29(2):249-261. PMID
{REVIEW_PMID}.

- Created: {header["created_at"]}
- Data version: {header["data_version"]}
- Portal version: {header["portal_version"]}
- Status rules: version {header["rules_version"]}
- Scope: {header["scope"]}. {scope}

## Contents

{counts}

## Files

{listing}

A CSV cell whose text begins with =, +, -, @, a tab or a carriage return
has a leading apostrophe, so that a spreadsheet reads it as text, not a
formula; `release.json` holds every value as it is.

Every table is described, column by column, in `{PACKAGE_FILE}` (a
Frictionless Data Package: types, keys, links between tables, and the
definition of every coded value). `frictionless validate {PACKAGE_FILE}`
checks the tables against it. `sha256sum -c MANIFEST` checks every file.

## License

{title}, {license_id()}{" (" + url + ")" if url else ""}.

The full text is in `{LICENSE_FILE}`. The papers' titles and abstracts are
PubMed's; each quote is one sentence of its paper's abstract.

## How to cite

See `{CITATION_FILE}`; cite the review too.
"""


FILE_ROLES = {
    "release.json": "every curated row with every public field, as the JSON "
    f"Schema in {SCHEMA_FILE} describes it",
    SCHEMA_FILE: "the JSON Schema (2020-12) of release.json",
    "topics.csv": "the topics",
    "claims.csv": "the claims, each with its verdict and counts",
    "evidence.csv": "the evidence records, one finding of one paper for one claim",
    "publications.csv": "the papers",
    "citations.bib": "the papers as BibTeX",
    "citations.ris": "the papers as RIS",
    CSL_FILE: "the papers as CSL-JSON",
    PACKAGE_FILE: "the Frictionless Data Package describing the tables",
    "MANIFEST": "the SHA-256 of every other file (`sha256sum -c MANIFEST`)",
    README_FILE: "what the release holds, its license and how to cite it",
    LICENSE_FILE: "the data's license",
    CITATION_FILE: "how to cite this release (Citation File Format 1.2.0)",
}


def release_version(header: dict[str, Any]) -> str:
    """A release's version, as a dataset's: the day it was made (YYYY-MM-DD).
    The data_version (the data's last change and row counts) is in the header."""
    return dt.datetime.fromisoformat(header["created_at"]).date().isoformat()


def citation_cff(*, header: dict[str, Any]) -> str:
    document = {
        "cff-version": "1.2.0",
        "message": "If you use this data, please cite it as below, and the review.",
        "type": "dataset",
        "title": PACKAGE_TITLE,
        "version": release_version(header),
        "date-released": release_version(header),
        "license": license_id(),
        "authors": [{"name": PUBLISHER}],
        "keywords": ["mesenchymal stem cells", "tumor microenvironment"],
        "references": [REVIEW_REFERENCE],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
