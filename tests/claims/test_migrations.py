"""Migration 0012: free-text cancer types become terms, and back, losing nothing."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from claims.models import Evidence, Term
from claims.vocabulary import cancer_type_links
from tests.factories import EvidenceFactory

BEFORE = [("claims", "0011_rules_v2_stored_verdicts")]
# The latest migration: the state the current models (read after it) describe.
AFTER = MigrationLoader(None).graph.leaf_nodes("claims")
WHEN = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
migration = importlib.import_module("claims.migrations.0012_controlled_vocabularies")


def migrate(target):
    """The database at `target`; the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def legacy_records(apps, texts: list[str]) -> list[int]:
    """Evidence at migration 0011, one claim and paper each, with free text."""
    get = apps.get_model
    paper = get("claims", "Publication").objects.create(pmid=20411303)
    review = get("claims", "Review").objects.create(publication=paper, slug="r")
    topic = get("claims", "Topic").objects.create(review=review, slug="t", name="T")
    pks = []
    for n, text in enumerate(texts):
        claim = get("claims", "Claim").objects.create(
            topic=topic, slug=f"c{n}", statement="S.", setting="primary_tumor"
        )
        pks.append(
            get("claims", "Evidence")
            .objects.create(
                claim=claim,
                publication=paper,
                stance="supports",
                effect="pro_tumor",
                level="animal",
                finding="F.",
                status="accepted",
                cancer_type=text,
            )
            .pk
        )
    return pks


def version(apps, pk: int, text: str) -> int:
    """A history version of a record at migration 0011, with its free text."""
    record = apps.get_model("claims", "Evidence").objects.get(pk=pk)
    fields = {
        f.attname: getattr(record, f.attname)
        for f in record._meta.concrete_fields
        if f.attname != "source_hash"
    }
    historical = apps.get_model("claims", "HistoricalEvidence")
    made = historical.objects.create(
        **fields | {"cancer_type": text}, history_date=WHEN, history_type="~"
    )
    return made.history_id


def slugs(pk: int) -> list[str]:
    return sorted(Evidence.objects.get(pk=pk).facet_value("cancer_type"))


@pytest.mark.django_db
def test_the_migrations_mapping_splits_free_text_and_matches_terms_in_any_case():
    one, two, three = (EvidenceFactory().pk for _ in range(3))
    rows = [
        (one, "Breast carcinoma, melanoma"),
        (two, "Multiple Myeloma"),
        (three, "multiple myeloma and a tumour no term names"),
    ]

    links = cancer_type_links(Term, rows)

    terms = dict(Term.objects.values_list("pk", "slug"))
    assert sorted((pk, terms[term]) for pk, term in links) == sorted(
        [
            (one, "breast-carcinoma"),
            (one, "melanoma"),
            (two, "multiple-myeloma"),
            (three, "multiple-myeloma"),
            (three, "a-tumour-no-term-names"),
        ]
    )
    made = Term.objects.get(slug="a-tumour-no-term-names")
    assert (made.vocabulary, made.label, made.ontology_id) == (
        "cancer_type",
        "a tumour no term names",
        "",
    )
    assert cancer_type_links(Term, rows) == links  # again: no second new term


@pytest.mark.django_db(transaction=True)
def test_migrating_turns_every_free_text_value_into_terms_and_back():
    apps = migrate(BEFORE)
    texts = ["Breast carcinoma, melanoma", "Multiple Myeloma", "glioma and X-tumour"]
    texts.append("")
    pks = legacy_records(apps, texts)
    old = version(apps, pks[0], "melanoma")

    migrate(AFTER)

    assert [slugs(pk) for pk in pks] == [
        ["breast-carcinoma", "melanoma"],
        ["multiple-myeloma"],
        ["glioma", "x-tumour"],
        [],
    ]
    assert Term.objects.get(slug="x-tumour").label == "x-tumour"
    history = Evidence.history.model.objects.get(history_id=old)
    assert [link.term.slug for link in history.cancer_types.all()] == ["melanoma"]
    assert Term.objects.get(slug="melanoma").ontology_id == "NCIT:C3224"

    apps = migrate(BEFORE)
    legacy = apps.get_model("claims", "Evidence").objects.order_by("pk")
    assert list(legacy.values_list("cancer_type", flat=True)) == [
        "breast carcinoma, melanoma",
        "multiple myeloma",
        "glioma, x-tumour",
        "",
    ]
    migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_records_differing_only_in_cancer_type_stop_the_migration_naming_them():
    apps = migrate(BEFORE)
    pks = legacy_records(apps, ["glioma"])
    twin = apps.get_model("claims", "Evidence").objects.get(pk=pks[0])
    twin.pk, twin.cancer_type = None, "melanoma"
    twin.save()

    with pytest.raises(RuntimeError, match=rf"#{pks[0]}, #{twin.pk}\. List all"):
        migrate(AFTER)

    twin.delete()
    migrate(AFTER)
    assert slugs(pks[0]) == ["glioma"]


def test_the_migration_compares_every_field_of_the_constraint_but_cancer_type():
    constraint = next(
        c for c in Evidence._meta.constraints if c.name == "evidence_no_exact_duplicate"
    )
    compared = {Evidence._meta.get_field(f).attname for f in constraint.fields}

    assert compared == set(migration.SCALAR_KEY)
