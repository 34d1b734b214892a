"""A public release describes itself, and the tools that read such data read
it right: Frictionless validates its tables, keys and coded values, jsonschema
its release.json, PyYAML its CITATION.cff; it holds accepted content only."""

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from frictionless import validate

from claims.exports import package
from claims.exports.citation_formats import CSL_ITEM_SCHEMA
from claims.exports.codebook import CODEBOOK, MODELS, categories
from claims.exports.releases import (
    TABLES,
    release_export,
    release_import,
    written_fields,
)
from claims.freshness import data_version
from claims.models import Claim, Evidence
from claims.selectors import claims_drift
from portal.version import PORTAL_VERSION
from tests.claims.test_release import NOW, clear_database, curate, retracted_paper
from tests.test_settings import django_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def curated() -> dict[str, Evidence]:
    call_command("load_review", stdout=io.StringIO())
    return curate(Claim.objects.order_by("slug").first(), retracted_paper())


@pytest.fixture
def public(curated, tmp_path) -> Path:
    return release_export(output=tmp_path / "public", now=NOW).path


def schema_errors(release: Path) -> list[str]:
    schema = json.loads((release / package.SCHEMA_FILE).read_text())
    document = json.loads((release / "release.json").read_text())
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(document)]


def editable_copy(release: Path, to: Path) -> Path:
    """The release's files, writable, with no checksums in the package (so
    that Frictionless reports what is wrong in a table, not a changed hash)."""
    shutil.copytree(release, to)
    for path in to.iterdir():
        path.chmod(0o644)
    descriptor = json.loads((to / package.PACKAGE_FILE).read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (to / package.PACKAGE_FILE).write_text(json.dumps(descriptor))
    return to


def errors_of(directory: Path) -> list[tuple[str, str]]:
    report = validate(str(directory / package.PACKAGE_FILE))
    return [(error.type, task.name) for task in report.tasks for error in task.errors]


def test_frictionless_finds_the_package_valid(public):
    report = validate(str(public / package.PACKAGE_FILE))

    assert report.valid, report.flatten(["type", "note", "resourceName", "rowNumber"])
    tables = {task.name: task.stats.get("rows") for task in report.tasks}
    assert tables["evidence"] == Evidence.objects.accepted().count()
    assert tables["claims"] == Claim.objects.count()


def test_frictionless_catches_a_bad_coded_value_and_a_dangling_key(public, tmp_path):
    copy = editable_copy(public, tmp_path / "copy")
    assert errors_of(copy) == []
    evidence = copy / "evidence.csv"
    rows = list(csv.DictReader(evidence.open(newline="", encoding="utf-8")))
    rows[0]["stance"] = "agrees"
    rows[1]["claim"] = "no-such-claim"
    with evidence.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    assert sorted(errors_of(copy)) == [
        ("constraint-error", "evidence"),
        ("foreign-key", "evidence"),
    ]


def test_every_coded_column_defines_each_of_its_values(public):
    descriptor = json.loads((public / package.PACKAGE_FILE).read_text())
    fields = {
        (resource["name"], field["name"]): field
        for resource in descriptor["resources"]
        if resource.get("schema")
        for field in resource["schema"]["fields"]
    }
    stance = fields[("evidence", "stance")]
    assert stance["constraints"]["enum"] == ["supports", "refutes", "qualifies"]
    assert "qualifies: The finding limits the claim" in stance["description"]
    delivery = fields[("evidence", "delivery")]
    assert {"value": "co_injection", "label": "Co-injection with tumor cells"} in (
        delivery["categories"]
    )
    # Every coded field a public release writes is in the codebook.
    for table in TABLES:
        if table.model in MODELS.values():
            written = written_fields(table, internal=False)
            coded = {f.name for f in written if f.choices}
            assert coded <= set(CODEBOOK[table.name]), (table.name, coded)
    # Every value a model allows has a definition, and nothing else does.
    for table, coded in CODEBOOK.items():
        for name, definitions in coded.items():
            choices = MODELS[table]._meta.get_field(name).choices
            if choices:
                assert [str(v) for v, _ in choices] == [str(v) for v in definitions]
            assert all(c["definition"].strip() for c in categories(table, name))


def test_release_json_is_valid_against_its_json_schema_and_can_fail(
    curated, public, tmp_path
):
    internal = release_export(internal=True, output=tmp_path / "internal").path
    assert schema_errors(public) == []
    assert schema_errors(internal) == []

    copy = editable_copy(public, tmp_path / "copy")
    document = json.loads((copy / "release.json").read_text())
    document["evidence"][0]["stance"] = "agrees"
    # A field an internal release has, and a public one must not.
    document["evidence"][1]["review_reason"] = "Checked."
    document["claims"][0]["created_at"] = "yesterday"
    (copy / "release.json").write_text(json.dumps(document))
    errors = schema_errors(copy)
    assert any("'agrees' is not one of" in error for error in errors)
    assert any("'review_reason' was unexpected" in error for error in errors)
    assert any("'yesterday' is not a 'date-time'" in error for error in errors)
    assert "date-time" in jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers


def test_a_public_release_holds_accepted_content_and_no_bookkeeping(curated, public):
    document = json.loads((public / "release.json").read_text())
    assert document["scope"] == "public"
    assert {row["status"] for row in document["evidence"]} == {"accepted"}
    ids = {row["id"] for row in document["evidence"]}
    assert curated["accepted"].pk in ids
    assert not {curated["draft"].pk, curated["rejected"].pk} & ids
    for table, omitted in package.INTERNAL_FIELDS.items():
        assert all(not omitted & row.keys() for row in document[table]), table
    with (public / "evidence.csv").open(newline="", encoding="utf-8") as file:
        assert {row["workflow"] for row in csv.DictReader(file)} == {"accepted"}
    # No username, no curator's note or rejection reason, in any file.
    for path in public.iterdir():
        text = path.read_text(encoding="utf-8")
        for secret in (
            "release-curator",
            "release-editor",
            "The quote is not in the abstract.",
            "Retracted in 2024; evidence re-reviewed.",
        ):
            assert secret not in text, (path.name, secret)


def test_a_public_release_restores_the_same_verdicts_and_takes_the_review_file(
    curated, public
):
    statuses = dict(Claim.objects.values_list("slug", "status"))
    clear_database()

    report = release_import(path=public)

    assert report.verdicts_recomputed == []
    assert dict(Claim.objects.values_list("slug", "status")) == statuses
    assert set(Evidence.objects.values_list("status", flat=True)) == {"accepted"}
    assert not list(claims_drift())
    # The review file's keys came with it: loading the file again finds its
    # records instead of adding them twice.
    before = Evidence.objects.count()
    call_command("load_review", stdout=io.StringIO())
    assert Evidence.objects.count() == before


def test_the_header_names_the_portal_and_data_versions(curated, tmp_path):
    release = release_export(output=tmp_path / "r", now=NOW).path
    internal = release_export(output=tmp_path / "i", now=NOW, internal=True).path

    document = json.loads((release / "release.json").read_text())
    descriptor = json.loads((release / package.PACKAGE_FILE).read_text())
    assert document["portal_version"] == PORTAL_VERSION == "0.1.0"
    # A public release's version is of what it publishes: the database's
    # (an internal release's) counts and dates the drafts and rejected too.
    accepted = Evidence.objects.accepted()
    last = max(row["updated_at"] for t in ("claims", "evidence") for row in document[t])
    assert document["data_version"].startswith(
        f"{dt.datetime.fromisoformat(last).isoformat()}|"
    )
    assert f"evidence={accepted.count()}," in document["data_version"]
    assert Evidence.objects.count() > accepted.count()
    assert descriptor["portal:data_version"] == document["data_version"]
    internal_document = json.loads((internal / "release.json").read_text())
    assert internal_document["data_version"] == data_version().token
    assert descriptor["version"] == NOW.date().isoformat()
    assert descriptor["licenses"] == [
        {
            "name": "CC0-1.0",
            "title": "CC0 1.0 Universal (public domain dedication)",
            "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        }
    ]


def test_license_citation_and_readme_describe_the_release(public):
    license_text = (public / package.LICENSE_FILE).read_text()
    assert license_text.startswith("Creative Commons Legal Code\n\nCC0 1.0 Universal")
    assert license_text == Path(settings.DATA_LICENSE_FILE).read_text()

    citation = yaml.safe_load((public / package.CITATION_FILE).read_text())
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "version", "license"} <= citation.keys()
    assert citation["license"] == "CC0-1.0"
    (review,) = citation["references"]
    assert review["doi"] == "10.1007/s10555-010-9222-7"
    assert {"type": "other", "value": "PMID:20411303", "description": "PubMed"} in (
        review["identifiers"]
    )

    readme = (public / package.README_FILE).read_text()
    for path in public.iterdir():
        assert f"`{path.name}`" in readme, path.name
    assert "Scope: public. Accepted evidence only" in readme


def test_the_csl_json_citations_are_valid_items_one_per_paper(public):
    items = json.loads((public / package.CSL_FILE).read_text())
    document = json.loads((public / "release.json").read_text())

    for item in items:
        jsonschema.validate(item, CSL_ITEM_SCHEMA)
    assert [item["id"] for item in items] == [
        f"pmid{row['pmid']}" for row in document["publications"]
    ]
    retracted = next(item for item in items if item["id"] == "pmid19000001")
    assert retracted["status"] == "retracted"


def test_another_license_needs_its_legal_text():
    result = django_setup(DATA_LICENSE="CC-BY-4.0")

    assert result.returncode != 0
    assert "DATA_LICENSE is CC-BY-4.0, but its legal text" in result.stderr
    assert "set DATA_LICENSE_FILE" in result.stderr
