import copy
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from claims.models import Claim, Evidence, Publication, Term, Topic
from claims.review_file import ReviewFileError, read_review_file
from claims.services import review_load
from claims.status_rules import ClaimStatus
from tests.conftest import papers_confirm

pytestmark = pytest.mark.django_db

MINIMAL = {
    "format": 1,
    "review": {
        "pmid": 20411303,
        "slug": "bergfeld-declerck-2010",
        "title": "Bone marrow-derived mesenchymal stem cells and the tumor "
        "microenvironment",
        "first_author": "Bergfeld",
        "journal": "Cancer Metastasis Rev",
        "year": 2010,
        "summary": "A review of MSC in cancer.",
    },
    "publications": [
        {
            "pmid": 16214129,
            "title": "Mesenchymal stem cells derived from bone marrow favor tumor cell "
            "growth in vivo",
            "first_author": "Zhu",
            "journal": "Exp Mol Pathol",
            "year": 2006,
        },
        {
            "pmid": 16636132,
            "title": "Human mesenchymal stem cells exert potent antitumorigenic "
            "effects in a model of Kaposi's sarcoma",
            "first_author": "Khakoo",
            "journal": "J Exp Med",
            "year": 2006,
        },
        {
            "pmid": 11986244,
            "title": "Human bone marrow stromal cells suppress T-lymphocyte "
            "proliferation",
            "first_author": "Di Nicola",
            "journal": "Blood",
            "year": 2002,
            "verified": False,
        },
    ],
    "topics": [
        {
            "slug": "tumor-growth-survival",
            "name": "Tumor growth and survival",
            "description": "Do MSC make tumors grow?",
            "claims": [
                {
                    "slug": "msc-promote-growth",
                    "statement": "Bone marrow MSC promote primary tumor growth.",
                    "setting": "primary_tumor",
                    "evidence": [
                        {
                            "key": "zhu2006-growth",
                            "pmid": 16214129,
                            "stance": "supports",
                            "effect": "pro_tumor",
                            "level": "animal",
                            "delivery": "co_injection",
                            "immune_status": "immunodeficient",
                            "finding": "Co-injected MSC enlarged tumors in nude mice.",
                            "rating": 4,
                        },
                        {
                            "key": "khakoo2006-growth",
                            "pmid": 16636132,
                            "stance": "refutes",
                            "effect": "anti_tumor",
                            "level": "animal",
                            "delivery": "systemic",
                            "immune_status": "immunodeficient",
                            "finding": "Intravenous MSC slowed Kaposi sarcoma growth.",
                            "rating": 4,
                        },
                    ],
                },
                {
                    "slug": "msc-suppress-t-cells",
                    "statement": "MSC suppress T-cell proliferation.",
                    "setting": "both",
                    "evidence": [
                        {
                            "key": "dinicola2002-t-cells",
                            "pmid": 11986244,
                            "stance": "supports",
                            "effect": "not_assessed",
                            "level": "in_vitro",
                            "finding": "Stromal cells blocked T-cell growth.",
                            "rating": 3,
                        }
                    ],
                },
            ],
        }
    ],
}


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load(tmp_path: Path, data: dict = MINIMAL):
    return review_load(data=read_review_file(write(tmp_path, data)))


def counts() -> tuple[int, int, int, int]:
    return (
        Publication.objects.count(),
        Topic.objects.count(),
        Claim.objects.count(),
        Evidence.objects.count(),
    )


def test_load_creates_review_topics_claims_evidence_and_papers(tmp_path):
    load(tmp_path)

    assert counts() == (4, 1, 2, 3)
    assert Evidence.objects.accepted().count() == 3
    assert Publication.objects.pending().count() == 4


def test_loading_twice_changes_nothing(tmp_path):
    load(tmp_path)
    history_before = Evidence.history.count() + Claim.history.count()

    report = load(tmp_path)

    assert counts() == (4, 1, 2, 3)
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert report.statuses_changed == 0
    assert Evidence.history.count() + Claim.history.count() == history_before


def test_an_edit_in_the_file_updates_the_database(tmp_path):
    load(tmp_path)
    edited = copy.deepcopy(MINIMAL)
    edited["topics"][0]["claims"][0]["evidence"][0]["rating"] = 2
    edited["topics"][0]["claims"][0]["statement"] = "MSC make primary tumors grow."

    report = load(tmp_path, edited)

    assert Evidence.objects.get(source_key="zhu2006-growth").rating == 2
    assert Claim.objects.get(slug="msc-promote-growth").statement == (
        "MSC make primary tumors grow."
    )
    assert report.updated["evidence"] == 1
    assert report.updated["claim"] == 1


def test_reloading_an_unchanged_file_keeps_admin_edits(tmp_path):
    load(tmp_path)
    evidence = Evidence.objects.get(source_key="zhu2006-growth")
    evidence.finding = "A curator's better wording."
    evidence.save()

    load(tmp_path)

    evidence.refresh_from_db()
    assert evidence.finding == "A curator's better wording."


def test_reloading_never_deletes_curator_evidence_or_evidence_dropped_from_file(
    tmp_path,
):
    load(tmp_path)
    claim = Claim.objects.get(slug="msc-promote-growth")
    curator_work = Evidence.objects.create(
        claim=claim,
        publication=Publication.objects.get(pmid=16636132),
        stance="qualifies",
        effect="mixed",
        level="in_vitro",
        finding="Added in the admin.",
    )
    shorter = copy.deepcopy(MINIMAL)
    del shorter["topics"][0]["claims"][0]["evidence"][1]

    report = load(tmp_path, shorter)

    assert Evidence.objects.filter(pk=curator_work.pk).exists()
    assert Evidence.objects.filter(source_key="khakoo2006-growth").exists()
    assert report.not_in_file == 1


def test_no_loaded_pmid_is_marked_verified_before_pubmed_confirms_it(tmp_path):
    load(tmp_path)

    assert Publication.objects.count() == 4
    assert Publication.objects.unverified().count() == 4
    growth = Claim.objects.get(slug="msc-promote-growth")
    assert growth.status == ClaimStatus.INSUFFICIENT
    assert growth.left_out == {"not_fetched": 2}


def test_load_computes_claim_statuses(tmp_path):
    load(tmp_path)
    papers_confirm()

    growth = Claim.objects.get(slug="msc-promote-growth")
    assert growth.status == ClaimStatus.CONTESTED
    assert "MSC delivery separates 2 of 2 papers" in growth.status_reason
    assert "falls short of R3" in growth.status_reason
    assert growth.status_rules_version == "2.0"


def test_load_keeps_metadata_pubmed_already_filled_in(tmp_path):
    load(tmp_path)
    Publication.objects.filter(pmid=16214129).update(
        title="PubMed's title", metadata_state=Publication.MetadataState.CURRENT
    )

    load(tmp_path)

    assert Publication.objects.get(pmid=16214129).title == "PubMed's title"


def test_a_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "review.yaml"
    path.write_text("format: 1\nreview:\n  pmid: [1,\n  slug: x\n")

    with pytest.raises(ReviewFileError, match=r"review\.yaml:\d+: invalid YAML"):
        read_review_file(path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(
                stance="agrees"
            ),
            r"evidence 'zhu2006-growth': stance 'agrees' is not one of",
        ),
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(rating=9),
            r"'rating' must be a whole number 1-5",
        ),
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(pmid=1),
            r"PMID 1 is not listed in publications",
        ),
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(colour="red"),
            r"unknown key\(s\) colour",
        ),
        (
            lambda d: d["topics"][0]["claims"][1].update(slug="msc-promote-growth"),
            r"claim slug 'msc-promote-growth' is used twice",
        ),
        (
            lambda d: d["publications"].append(dict(d["publications"][0])),
            r"publication 16214129 is listed twice",
        ),
        (
            lambda d: d["publications"][0].update(pmid=-5),
            r"'pmid' must be a whole number",
        ),
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(
                cancer_types="melanoma"
            ),
            r"'cancer_types' must be a non-empty list of slugs",
        ),
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(
                cancer_types=["melanoma", "melanoma"]
            ),
            r"'cancer_types' lists a term twice",
        ),
        (
            lambda d: d["topics"][0]["claims"][0]["evidence"][0].update(
                cancer_type="melanoma"
            ),
            r"unknown key\(s\) cancer_type",
        ),
    ],
)
def test_invalid_content_names_the_line_of_the_bad_record(tmp_path, mutate, message):
    data = copy.deepcopy(MINIMAL)
    mutate(data)
    path = write(tmp_path, data)

    with pytest.raises(ReviewFileError, match=message) as error:
        read_review_file(path)

    line = int(str(error.value).split(":")[1])
    assert line > 1
    assert str(path) in str(error.value)


def test_the_command_reports_a_malformed_file_as_a_command_error(tmp_path):
    path = tmp_path / "review.yaml"
    path.write_text("format: 2\n")

    with pytest.raises(CommandError, match=r"review\.yaml"):
        call_command("load_review", str(path))

    assert counts() == (0, 0, 0, 0)


def test_the_command_loads_the_shipped_file_twice_with_the_same_counts():
    call_command("load_review")
    first = counts()

    call_command("load_review")

    assert counts() == first
    assert first[3] >= 80


def test_a_paper_the_file_marks_retracted_is_loaded_retracted_and_stops_counting(
    tmp_path,
):
    data = copy.deepcopy(MINIMAL)
    data["publications"][0]["retracted"] = True

    load(tmp_path, data)
    papers_confirm()

    assert Publication.objects.get(pmid=16214129).is_retracted
    growth = Claim.objects.get(slug="msc-promote-growth")
    assert growth.status == ClaimStatus.REFUTED


def test_a_new_fingerprint_with_the_same_values_adds_no_history(tmp_path):
    load(tmp_path)
    Evidence.objects.update(source_hash="an older fingerprint format")
    versions = Evidence.history.count()

    report = load(tmp_path)

    assert Evidence.history.count() == versions
    assert report.unchanged["evidence"] == 3


def test_an_unknown_cancer_type_fails_naming_the_file_and_the_line_of_its_record(
    tmp_path,
):
    data = copy.deepcopy(MINIMAL)
    data["topics"][0]["claims"][0]["evidence"][1]["cancer_types"] = [
        "kaposi-sarcoma",
        "Kaposi sarcoma",
    ]
    path = write(tmp_path, data)
    lines = path.read_text().splitlines()
    line = lines.index("    - key: khakoo2006-growth") + 1

    with pytest.raises(ReviewFileError) as error:
        read_review_file(path)

    assert str(error.value) == (
        f"{path}:{line}: evidence 'khakoo2006-growth': cancer_types 'Kaposi sarcoma' "
        "is not a term of the vocabulary (vocabulary.yaml); add it there first."
    )
    assert counts() == (0, 0, 0, 0)


def test_the_command_refuses_an_unknown_cancer_type_before_writing(tmp_path):
    data = copy.deepcopy(MINIMAL)
    data["topics"][0]["claims"][0]["evidence"][0]["cancer_types"] = ["carcinoid"]

    with pytest.raises(CommandError, match=r"review\.yaml:\d+: .*'carcinoid' is not"):
        call_command("load_review", str(write(tmp_path, data)))

    assert counts() == (0, 0, 0, 0)


def test_cancer_types_load_with_their_record_in_one_version_and_reload_unchanged(
    tmp_path,
):
    data = copy.deepcopy(MINIMAL)
    khakoo = data["topics"][0]["claims"][0]["evidence"][1]
    khakoo["cancer_types"] = ["melanoma", "kaposi-sarcoma"]
    load(tmp_path, data)
    evidence = Evidence.objects.get(source_key="khakoo2006-growth")

    report = load(tmp_path, data)

    assert evidence.facet_value("cancer_type") == ("kaposi-sarcoma", "melanoma")
    assert evidence.history.count() == 1
    version = evidence.history.get()
    assert {link.term.slug for link in version.cancer_types.all()} == {
        "kaposi-sarcoma",
        "melanoma",
    }
    assert report.unchanged["evidence"] == 3
    assert report.unchanged["term"] == Term.objects.count()


def test_a_cancer_type_changed_in_the_file_updates_the_record(tmp_path):
    data = copy.deepcopy(MINIMAL)
    khakoo = data["topics"][0]["claims"][0]["evidence"][1]
    khakoo["cancer_types"] = ["melanoma"]
    load(tmp_path, data)
    khakoo["cancer_types"] = ["kaposi-sarcoma"]

    report = load(tmp_path, data)

    evidence = Evidence.objects.get(source_key="khakoo2006-growth")
    assert evidence.facet_value("cancer_type") == ("kaposi-sarcoma",)
    assert report.updated["evidence"] == 1
    assert evidence.history.count() == 2


def test_loading_brings_the_terms_up_to_the_vocabulary_file(tmp_path):
    Term.objects.filter(slug="melanoma").update(ontology_id="")

    report = load(tmp_path)

    assert Term.objects.get(slug="melanoma").ontology_id == "NCIT:C3224"
    assert report.updated["term"] == 1
    assert "term: 0 created, 1 updated" in report.summary()


def _evidence(d) -> dict:
    return d["topics"][0]["claims"][0]["evidence"][0]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["topics"][0]["claims"][0].update(slug="-".join(["ab"] * 100)),
            r"claim slug: 'slug' is 299 characters long; at most 120",
        ),
        (
            lambda d: _evidence(d).update(key="k" * 300),
            r"evidence key: 'key' is 300 characters long; at most 120",
        ),
        (
            lambda d: _evidence(d).update(finding="MSC\x00 enlarged tumors."),
            r"evidence 'zhu2006-growth': 'finding' holds a NUL character",
        ),
        (
            lambda d: d["publications"][0].update(first_author="Z" * 201),
            r"publication 16214129: 'first_author' is 201 characters long",
        ),
        (
            lambda d: _evidence(d).update(cancer_types=["c" * 150]),
            r"is not a term of the vocabulary",
        ),
    ],
)
def test_what_the_database_cannot_store_fails_with_the_line_on_every_database(
    tmp_path, mutate, message
):
    data = copy.deepcopy(MINIMAL)
    mutate(data)

    with pytest.raises(ReviewFileError, match=message) as error:
        load(tmp_path, data)

    assert str(error.value).startswith(f"{tmp_path / 'review.yaml'}:")
    assert int(str(error.value).split(":")[1]) > 1
    assert Evidence.objects.count() == 0
