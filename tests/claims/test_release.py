import csv
import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from claims import curation
from claims.exports import csv_rows
from claims.exports.releases import (
    MANIFEST_FILE,
    _write_manifest,
    release_export,
    release_import,
)
from claims.models import Claim, Evidence, Publication, Review, Term, Topic
from claims.selectors import claims_drift
from tests.factories import (
    EvidenceFactory,
    PublicationFactory,
    UserFactory,
    cancer_terms,
)

pytestmark = pytest.mark.django_db

CURATED = (Publication, Review, Topic, Claim, Evidence)
USER_FIELDS = ("created_by_id", "submitted_by_id", "reviewed_by_id")
NOW = dt.datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=dt.UTC)
REJECTION = "The quote is not in the abstract."


def retracted_paper() -> Publication:
    """A paper with every metadata field filled, BibTeX specials included."""
    return PublicationFactory(
        pmid=19000001,
        title="MSC & tumors: 100% {braced} growth_rates",
        curated_title="MSC and tumors",
        first_author="Müller",
        authors=[
            {
                "last_name": "Müller",
                "fore_name": "Anna",
                "initials": "A",
                "collective_name": "",
                "orcid": "0000-0002-1825-0097",
            },
            {"collective_name": "MSC Study Group"},
        ],
        journal="Cancer Research",
        journal_iso="Cancer Res",
        volume="66",
        issue="19",
        pages="9386-94",
        pub_date="2006 Oct 1",
        year=2006,
        abstract="BACKGROUND: MSC were co-injected. RESULTS: Tumors grew.",
        abstract_sections=[
            {"label": "BACKGROUND", "text": "MSC were co-injected."},
            {"label": "RESULTS", "text": "Tumors grew."},
        ],
        doi="10.1158/0008-5472.CAN-06-0001",
        pmcid="PMC1234567",
        mesh_terms=["Mesenchymal Stem Cells", "Neoplasms"],
        publication_types=["Journal Article", "Retracted Publication"],
        date_revised=dt.date(2024, 5, 17),
        medline_status="MEDLINE",
        is_retracted=True,
        retraction_notice_pmid=19000002,
        erratum_pmids=[19000003],
        expression_of_concern_pmids=[19000004],
        superseded_by_pmid=19000005,
        metadata_state=Publication.MetadataState.CURRENT,
        fetched_at=dt.datetime(2026, 11, 1, 3, 4, 5, 654321, tzinfo=dt.UTC),
        last_error="",
        record_hash="ab" * 32,
        needs_review=True,
        review_note="Retracted in 2024; evidence re-reviewed.",
    )


def curate(claim: Claim, paper: Publication) -> dict[str, Evidence]:
    """Evidence in each workflow state, through the curation services."""
    curator = UserFactory(username="release-curator", groups=[curation.CURATOR_GROUP])
    editor = UserFactory(username="release-editor", groups=[curation.EDITOR_GROUP])
    facts = {"claim": claim, "publication": paper, "finding": "Tumors grew."}
    rejected = curation.evidence_create(
        by=curator,
        **facts,
        stance=Evidence.Stance.SUPPORTS,
        effect=Evidence.Effect.PRO_TUMOR,
        level=Evidence.Level.ANIMAL,
        msc_source=Evidence.MscSource.BONE_MARROW,
        species=Evidence.Species.HUMAN,
        cancer_types=cancer_terms(["breast-carcinoma", "melanoma"]),
        model=Evidence.ExperimentalModel.CELL_LINE_XENOGRAFT,
        immune_status=Evidence.ImmuneStatus.IMMUNODEFICIENT,
        delivery=Evidence.Delivery.CO_INJECTION,
        msc_tumor_ratio="1:4",
        quote="Tumors grew.",
        rating=2,
    )
    curation.evidence_submit(evidence=rejected, by=curator)
    curation.evidence_reject(evidence=rejected, by=editor, reason=REJECTION)
    accepted = curation.evidence_create(
        by=curator, **facts, stance="refutes", effect="anti_tumor", level="in_vitro"
    )
    curation.evidence_submit(evidence=accepted, by=curator)
    curation.evidence_accept(evidence=accepted, by=editor, reason="Checked.")
    draft = curation.evidence_create(
        by=curator, **facts, stance="qualifies", effect="mixed", level="in_vitro"
    )
    return {"rejected": rejected, "accepted": accepted, "draft": draft}


@pytest.fixture
def curated() -> dict[str, Evidence]:
    """The shipped review, plus curation on a retracted paper."""
    call_command("load_review", stdout=io.StringIO())
    return curate(Claim.objects.order_by("slug").first(), retracted_paper())


@pytest.fixture
def small() -> Evidence:
    """A little content, enough for the checks that need no whole review."""
    EvidenceFactory(submitted_by=UserFactory(username="release-curator"))
    return EvidenceFactory(publication=retracted_paper())


def curated_rows() -> dict[str, list[dict]]:
    """Every field of every curated row, users by username."""
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    dump = {}
    for model in CURATED:
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            row.update({k: usernames.get(row[k]) for k in USER_FIELDS if k in row})
        dump[model.__name__] = rows
    return dump


def clear_database() -> None:
    """Empty the curated tables and drop their users, as in a new database."""
    for model in reversed(CURATED):
        model.objects.all().delete()
    get_user_model().objects.filter(username__startswith="release-").delete()
    # Sequences back to 1, as in a new database (PostgreSQL; no-op on SQLite).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), CURATED):
            cursor.execute(sql)


def files(release: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(release.iterdir())}


def tamper(path: Path, text: str = "tampered\n") -> None:
    path.chmod(0o644)
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def test_a_release_restores_every_curated_row_exactly(curated, tmp_path):
    before = curated_rows()
    first = release_export(internal=True, output=tmp_path / "first", now=NOW).path
    clear_database()
    assert not Evidence.objects.exists()

    release_import(path=first)

    assert curated_rows() == before
    rejected = Evidence.objects.get(pk=curated["rejected"].pk)
    assert rejected.status == Evidence.Status.REJECTED
    assert rejected.review_reason == REJECTION
    assert rejected.reviewed_by.username == "release-editor"
    again = release_export(internal=True, output=tmp_path / "again", now=NOW).path
    assert files(again) == files(first)


def test_two_exports_differ_only_in_their_creation_time(small, tmp_path):
    first = files(release_export(internal=True, output=tmp_path / "a", now=NOW).path)
    later = NOW + dt.timedelta(days=1)
    second = files(release_export(internal=True, output=tmp_path / "b", now=later).path)

    same = {name for name in first if first[name] == second[name]}
    # The files that state the creation time or its day, and those holding
    # their checksums.
    dated = {"release.json", "README.md", "CITATION.cff", "datapackage.json"}
    assert same == set(first) - dated - {MANIFEST_FILE}
    lines = zip(
        first["release.json"].decode().splitlines(),
        second["release.json"].decode().splitlines(),
        strict=True,
    )
    changed = [(old, new) for old, new in lines if old != new]
    assert changed == [
        (
            f'  "created_at": "{NOW.isoformat()}",',
            f'  "created_at": "{later.isoformat()}",',
        )
    ]


def test_release_json_holds_every_field_and_workflow_state(curated, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    document = json.loads((release / "release.json").read_text())

    assert document["format_version"] == 3
    assert document["scope"] == "internal"
    assert document["vocabulary_version"] >= 1
    assert document["created_at"] == NOW.isoformat()
    evidence = {row["id"]: row for row in document["evidence"]}
    rejected = evidence[curated["rejected"].pk]
    assert rejected["status"] == "rejected"
    assert rejected["review_reason"] == REJECTION
    assert rejected["submitted_by"] == "release-curator"
    assert rejected["reviewed_by"] == "release-editor"
    assert rejected["publication"] == 19000001
    paper = next(p for p in document["publications"] if p["pmid"] == 19000001)
    assert paper["fetched_at"] == "2026-11-01T03:04:05.654321+00:00"
    assert paper["abstract_sections"][1] == {"label": "RESULTS", "text": "Tumors grew."}
    assert document["counts"]["evidence"] == Evidence.objects.count()


def cancer_types() -> dict[int, list[str]]:
    """Each record's cancer types, by slug."""
    found: dict[int, list[str]] = {}
    links = Evidence.cancer_types.through.objects.order_by("evidence", "term__slug")
    for pk, slug in links.values_list("evidence", "term__slug"):
        found.setdefault(pk, []).append(slug)
    return found


def test_a_release_restores_each_records_cancer_types_and_the_terms(curated, tmp_path):
    melanoma = Term.objects.get(vocabulary="cancer_type", slug="melanoma")
    before = cancer_types()
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    document = json.loads((release / "release.json").read_text())
    clear_database()
    # The release's terms win over what the database holds for the same slug.
    Term.objects.filter(pk=melanoma.pk).update(label="changed", ontology_id="")

    release_import(path=release)

    assert cancer_types() == before
    assert before[curated["rejected"].pk] == ["breast-carcinoma", "melanoma"]
    melanoma.refresh_from_db()
    assert (melanoma.label, melanoma.ontology_id) == ("melanoma", "NCIT:C3224")
    rows = {row["id"]: row for row in document["evidence"]}
    assert rows[curated["rejected"].pk]["cancer_types"] == [
        "breast-carcinoma",
        "melanoma",
    ]
    terms = {(t["vocabulary"], t["slug"]): t for t in document["terms"]}
    assert terms[("species", "human")]["ontology_id"] == "NCBITaxon:9606"


def test_a_release_from_before_the_vocabulary_restores_its_free_text_as_terms(
    small, tmp_path
):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    document = json.loads((release / "release.json").read_text())
    document["format_version"] = 1
    del document["terms"], document["counts"]["terms"]
    texts = ["Breast Carcinoma, melanoma", "a tumour no term names"]
    for row, text in zip(document["evidence"], texts, strict=True):
        del row["cancer_types"]
        row["cancer_type"] = text
    (release / "release.json").chmod(0o644)
    (release / "release.json").write_text(json.dumps(document))
    (release / MANIFEST_FILE).chmod(0o644)
    _write_manifest(release)
    clear_database()

    release_import(path=release)

    first, second = (row["id"] for row in document["evidence"])
    assert cancer_types() == {
        first: ["breast-carcinoma", "melanoma"],
        second: ["a-tumour-no-term-names"],
    }
    made = Term.objects.get(slug="a-tumour-no-term-names")
    assert (made.label, made.ontology_id) == ("a tumour no term names", "")


def test_restored_users_are_inactive_and_cannot_log_in(curated, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()

    report = release_import(path=release)

    assert report.users_created == ["release-curator", "release-editor"]
    for user in get_user_model().objects.filter(username__startswith="release-"):
        assert not user.is_active
        assert not user.has_usable_password()


def test_a_restore_links_evidence_to_users_that_exist(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()
    curator = UserFactory(username="release-curator")

    report = release_import(path=release)

    assert report.users_created == []
    assert Evidence.objects.filter(submitted_by=curator).count() == 1
    curator.refresh_from_db()
    assert curator.is_active


def test_a_restore_recomputes_verdicts_that_are_not_the_rules_and_names_them(
    curated, tmp_path
):
    wrong = Claim.objects.order_by("slug")[1]
    Claim.objects.filter(pk=wrong.pk).update(status="established", n_papers=99)
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()

    out = io.StringIO()
    call_command("import_release", release, stdout=out)

    assert f"verdicts recomputed to the rules: 1 ({wrong.slug})" in out.getvalue()
    restored = Claim.objects.get(slug=wrong.slug)
    assert (restored.status, restored.n_papers) == (wrong.status, wrong.n_papers)
    assert claims_drift() == []


def test_a_restore_of_true_verdicts_recomputes_none(curated, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()

    report = release_import(path=release)

    assert report.verdicts_recomputed == []
    assert "verdicts recomputed to the rules: 0" in report.summary()


def test_new_records_can_be_added_after_a_restore(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    highest = Evidence.objects.order_by("-pk").first().pk
    clear_database()
    release_import(path=release)

    # With the sequences left at 1 (PostgreSQL), these would collide.
    new = EvidenceFactory(publication=PublicationFactory())

    assert new.pk > highest


def test_the_manifest_verifies_with_sha256sum(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path

    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", MANIFEST_FILE],
        cwd=release,
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = sorted(p.name for p in release.iterdir() if p.name != MANIFEST_FILE)
    assert checked.stdout.splitlines() == [f"{name}: OK" for name in names]
    assert names == sorted(
        [
            "CITATION.cff",
            "LICENSE",
            "README.md",
            "citations.bib",
            "citations.json",
            "citations.ris",
            "claims.csv",
            "datapackage.json",
            "evidence.csv",
            "publications.csv",
            "release.json",
            "release.schema.json",
            "topics.csv",
        ]
    )


def test_the_citations_hold_every_paper(curated, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    bib = (release / "citations.bib").read_bytes().decode()
    ris = (release / "citations.ris").read_bytes().decode()

    for pmid in Publication.objects.values_list("pmid", flat=True):
        assert f"@article{{pmid{pmid},\n" in bib
        assert f"AN  - {pmid}\r\n" in ris
    assert (
        r"title = {{MSC} \& tumors: 100\% \{braced\} growth\_rates {[Retracted]}}"
        in bib
    )
    assert (
        "note = {Retracted (notice: PMID 19000002). Expression of concern: "
        "PMID 19000004. Erratum: PMID 19000003. Updated version: PMID 19000005}"
    ) in bib
    assert "AU  - Müller, Anna\r\nAU  - MSC Study Group\r\n" in ris


def test_the_csv_tables_have_every_row_in_the_api_columns(curated, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    with (release / "evidence.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))

    assert list(rows[0]) == list(csv_rows.EVIDENCE.columns)
    assert len(rows) == Evidence.objects.count()
    by_id = {int(row["id"]): row for row in rows}
    # The workflow column is named as its filter; ?status= is the claim's.
    assert by_id[curated["rejected"].pk]["workflow"] == "rejected"
    assert by_id[curated["draft"].pk]["workflow"] == "draft"
    assert "status" not in rows[0]
    with (release / "claims.csv").open(newline="", encoding="utf-8") as file:
        claims_csv = list(csv.DictReader(file))
    assert len(claims_csv) == Claim.objects.count()
    stored = {claim.slug: claim.n_papers for claim in Claim.objects.all()}
    assert {row["slug"]: int(row["papers"]) for row in claims_csv} == stored
    publications_csv = (release / "publications.csv").read_text().splitlines()
    assert len(publications_csv) == Publication.objects.count() + 1


@pytest.mark.parametrize("name", ["release.json", "evidence.csv", "citations.ris"])
def test_a_tampered_file_is_rejected_before_anything_is_written(small, tmp_path, name):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()
    tamper(release / name)

    with pytest.raises(
        CommandError, match=re.escape(f"{name} does not match its checksum")
    ):
        call_command("import_release", release)

    assert not Publication.objects.exists()
    assert not get_user_model().objects.filter(username="release-curator").exists()


def test_a_file_added_or_removed_after_export_is_rejected(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()
    (release / "notes.txt").write_text("added later\n")

    with pytest.raises(CommandError, match=r"notes\.txt is not listed in MANIFEST"):
        call_command("import_release", release)
    (release / "notes.txt").unlink()
    (release / "citations.bib").unlink()
    with pytest.raises(CommandError, match=r"citations\.bib is listed in MANIFEST but"):
        call_command("import_release", release)
    assert not Publication.objects.exists()


def test_a_directory_without_a_manifest_is_not_a_release(tmp_path):
    with pytest.raises(CommandError, match="has no MANIFEST: not a release"):
        call_command("import_release", tmp_path)


def test_a_restore_refuses_a_database_that_holds_curated_content(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    before = curated_rows()

    with pytest.raises(
        CommandError, match="already holds publications, reviews, topics"
    ):
        call_command("import_release", release)

    assert curated_rows() == before


def test_the_commands_export_and_import_a_release(small, tmp_path):
    out = io.StringIO()
    call_command("export_release", "--internal", "--output", tmp_path / "r", stdout=out)
    written = re.escape(
        f"Internal release (not for publication) written: {tmp_path / 'r'}: "
    )
    assert re.search(rf"{written}\d+ terms, 4 publications", out.getvalue())
    assert "sha256sum -c MANIFEST" in out.getvalue()
    clear_database()

    out = io.StringIO()
    call_command("import_release", tmp_path / "r", stdout=out)

    assert "2 evidence; inactive users created: release-curator" in out.getvalue()
    assert Evidence.objects.count() == 2


def test_an_export_never_overwrites_a_release(small, tmp_path):
    (tmp_path / "r").mkdir()

    with pytest.raises(CommandError, match="exists; a release is never overwritten"):
        call_command("export_release", "--internal", "--output", tmp_path / "r")

    assert list((tmp_path / "r").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no staging left behind


def test_default_releases_are_dated_under_var(small, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.RELEASES_DIR = tmp_path / "releases"
    call_command("export_release", stdout=io.StringIO())
    call_command("export_release", stdout=io.StringIO())
    call_command("export_release", "--internal", stdout=io.StringIO())

    today = timezone.localdate().isoformat()
    names = sorted(p.name for p in (tmp_path / "releases").iterdir())
    assert names == [today, f"{today}-2"]
    # An internal release is a backup, never where releases are served from.
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [today]


def test_release_files_are_read_only(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path

    modes = {path.stat().st_mode & 0o777 for path in release.iterdir()}

    assert modes == {0o444}


def forge(release: Path, change) -> None:
    """Edit release.json and write a MANIFEST that matches it, as a forger would."""
    from claims.exports.releases import _write_manifest

    path = release / "release.json"
    path.chmod(0o644)
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    (release / "MANIFEST").chmod(0o644)
    _write_manifest(release)


def test_a_forged_invalid_value_is_refused_naming_its_table_and_row(small, tmp_path):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()
    forge(release, lambda d: d["evidence"][0].update(stance="agrees"))

    with pytest.raises(CommandError, match=r"evidence row id=\d+ cannot be restored"):
        call_command("import_release", release)

    assert not Publication.objects.exists()


@pytest.mark.parametrize("kind", ["directory", "symlink"])
def test_a_manifest_listing_a_directory_or_a_link_is_refused(small, tmp_path, kind):
    release = release_export(internal=True, output=tmp_path / "r", now=NOW).path
    clear_database()
    release.chmod(0o755)
    odd = release / "extra"
    if kind == "directory":
        odd.mkdir()
    else:
        odd.symlink_to(release / "release.json")
    line = f"{'0' * 64}  extra\n"
    manifest = release / "MANIFEST"
    manifest.chmod(0o644)
    manifest.write_text(manifest.read_text() + line)

    with pytest.raises(CommandError, match=r"extra is listed in MANIFEST but is not"):
        call_command("import_release", release)
