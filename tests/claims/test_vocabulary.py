"""The shipped vocabulary file, its reader, and the terms synced from it."""

from pathlib import Path

import pytest
import yaml

from claims.models import Evidence, Term
from claims.review_file import read_review_file
from claims.vocabulary import (
    CANCER_TYPE,
    VOCABULARY_FILE,
    VocabularyFileError,
    choices_of,
    legacy_names,
    read_vocabulary_file,
    shipped_version,
    terms_sync,
)

REVIEW_FILE = Path(__file__).resolve().parents[2] / "claims" / "data" / "review.yaml"


def shipped():
    return read_vocabulary_file(choices=choices_of(Evidence))


def write(tmp_path, document) -> Path:
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def as_document() -> dict:
    return yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))


def test_the_shipped_vocabulary_is_versioned_and_gives_the_checked_identifiers():
    ids = {(t.vocabulary, t.slug): t.ontology_id for t in shipped().terms}

    assert shipped().version == shipped_version() >= 1
    assert ids[("species", "human")] == "NCBITaxon:9606"
    assert ids[("species", "mouse")] == "NCBITaxon:10090"
    assert ids[("species", "rat")] == "NCBITaxon:10116"
    assert ids[("msc_source", "bone_marrow")] == "UBERON:0002371"
    assert ids[("msc_source", "adipose")] == "UBERON:0001013"
    assert ids[("msc_source", "umbilical_cord")] == "UBERON:0002331"
    assert ids[(CANCER_TYPE, "melanoma")] == "NCIT:C3224"
    assert ids[(CANCER_TYPE, "multiple-myeloma")] == "NCIT:C3242"


def test_each_choice_vocabulary_names_every_choice_of_its_field_with_its_label():
    terms = shipped().terms

    for name in ("species", "msc_source", "model"):
        field = Evidence._meta.get_field(name)
        found = {t.slug: t.label for t in terms if t.vocabulary == name}
        assert found == {value: str(label) for value, label in field.choices}


def test_every_cancer_type_of_the_review_file_is_a_term_with_a_label():
    review = read_review_file(REVIEW_FILE)
    used = {slug for _, entry in review.evidence for slug in entry.cancer_types}
    labels = {t.slug: t.label for t in shipped().terms if t.vocabulary == CANCER_TYPE}

    assert used <= set(labels)
    assert len(used) >= 10
    assert {labels[slug] for slug in ("kaposi-sarcoma", "ewing-sarcoma")} == {
        "Kaposi sarcoma",
        "Ewing sarcoma",
    }


def test_free_text_splits_on_commas_and_and_lowercased_each_name_once():
    assert legacy_names("Breast carcinoma, melanoma") == [
        "breast carcinoma",
        "melanoma",
    ]
    assert legacy_names("lung carcinoma and  Melanoma; glioma") == [
        "lung carcinoma",
        "melanoma",
        "glioma",
    ]
    assert legacy_names("Multiple Myeloma, multiple myeloma") == ["multiple myeloma"]
    assert legacy_names(" , ") == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["vocabularies"]["cancer_type"][1].update(id="NCIT C4872"),
            r"vocabulary\.yaml:\d+: cancer_type 'breast-carcinoma': id 'NCIT C4872' "
            r"must be an identifier of NCIT or MONDO",
        ),
        (
            lambda d: d["vocabularies"]["species"][0].update(id="UBERON:0002371"),
            r"species 'human': id 'UBERON:0002371' must be an identifier of NCBITaxon",
        ),
        (
            lambda d: d["vocabularies"]["species"].pop(),
            r"species lacks a term for other",
        ),
        (
            lambda d: d["vocabularies"]["model"].append({"slug": "organoid", "id": ""}),
            r"model 'organoid' is not one of",
        ),
        (
            lambda d: d["vocabularies"]["cancer_type"].append(
                d["vocabularies"]["cancer_type"][0]
            ),
            r"cancer_type term 'acute-myeloid-leukemia' is listed twice",
        ),
        (lambda d: d.update(version=0), r"version must be a whole number"),
    ],
)
def test_a_malformed_vocabulary_fails_naming_the_file_and_line(
    tmp_path, change, message
):
    document = as_document()
    change(document)

    with pytest.raises(VocabularyFileError, match=message):
        read_vocabulary_file(write(tmp_path, document), choices=choices_of(Evidence))


def test_a_vocabulary_error_names_the_line_of_the_term(tmp_path):
    text = VOCABULARY_FILE.read_text(encoding="utf-8")
    path = tmp_path / "vocabulary.yaml"
    path.write_text(text.replace("id: NCIT:C3224", "id: C3224"), encoding="utf-8")
    line = text.splitlines().index("    - slug: melanoma") + 1

    with pytest.raises(VocabularyFileError, match=rf"vocabulary\.yaml:{line}: "):
        read_vocabulary_file(path, choices=choices_of(Evidence))


@pytest.mark.django_db
def test_syncing_adds_and_updates_terms_never_deletes_and_is_idempotent(tmp_path):
    Term.objects.create(vocabulary=CANCER_TYPE, slug="kept", label="a legacy term")
    Term.objects.filter(slug="melanoma").update(label="old", ontology_id="")
    Term.objects.filter(slug="glioma").delete()

    assert terms_sync(Term, shipped()) == (1, 1)
    assert terms_sync(Term, shipped()) == (0, 0)
    melanoma = Term.objects.get(vocabulary=CANCER_TYPE, slug="melanoma")
    assert (melanoma.label, melanoma.ontology_id) == ("melanoma", "NCIT:C3224")
    assert Term.objects.filter(slug__in=["kept", "glioma"]).count() == 2
    assert Term.objects.count() == len(shipped().terms) + 1


@pytest.mark.django_db
def test_a_migrated_database_holds_the_vocabulary():
    held = set(Term.objects.values_list("vocabulary", "slug", "label", "ontology_id"))

    assert held == {
        (t.vocabulary, t.slug, t.label, t.ontology_id) for t in shipped().terms
    }


@pytest.mark.django_db
def test_a_term_shows_its_identifier_and_links_to_the_ontology():
    melanoma = Term.objects.get(vocabulary=CANCER_TYPE, slug="melanoma")
    insulinoma = Term.objects.get(vocabulary=CANCER_TYPE, slug="insulinoma")

    assert str(melanoma) == "melanoma (NCIT:C3224)"
    assert melanoma.ontology_url == "http://purl.obolibrary.org/obo/NCIT_C3224"
    assert (str(insulinoma), insulinoma.ontology_url) == ("insulinoma", "")
