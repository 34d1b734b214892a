"""Controlled vocabularies: the Term table, and cancer type as terms.

Cancer type was free text ("breast carcinoma, melanoma", "Multiple Myeloma"):
it becomes a many-to-many to the cancer-type terms. The terms come from the
shipped vocabulary file (claims/data/vocabulary.yaml); each record's text, and
the text of every version in its history, is split on commas and "and" and
mapped to terms by label (any case) or slug, and a name no term matches
becomes a new term, so that no value is lost. Backwards, the text is written
again from the terms' labels.

The exact-duplicate constraint no longer includes the cancer type: a finding
made in several cancer types is one record listing them all. Records that
differed only in their cancer type would now be duplicates; the migration
stops, naming them, rather than merge or drop curators' work.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from claims.vocabulary import (
    CANCER_TYPE,
    cancer_type_links,
    choices_of,
    read_vocabulary_file,
    terms_sync,
)

SCALAR_KEY = (
    "claim_id",
    "publication_id",
    "stance",
    "effect",
    "level",
    "msc_source",
    "species",
    "model",
    "immune_status",
    "delivery",
)
ROLES = {"Curator": ["view_term"], "Editor": ["view_term"]}
# The data version's stamps (migration 0007) for the new table, on PostgreSQL.
STAMP = "FOR EACH STATEMENT EXECUTE FUNCTION claims_data_stamp('terms')"
TRIGGERS = [
    "CREATE TRIGGER claims_stamp_insert AFTER INSERT ON claims_term "
    f"REFERENCING NEW TABLE AS new_rows {STAMP}",
    "CREATE TRIGGER claims_stamp_update AFTER UPDATE ON claims_term "
    f"REFERENCING NEW TABLE AS new_rows {STAMP}",
    "CREATE TRIGGER claims_stamp_delete AFTER DELETE ON claims_term "
    f"REFERENCING OLD TABLE AS old_rows {STAMP}",
    f"CREATE TRIGGER claims_stamp_truncate AFTER TRUNCATE ON claims_term {STAMP}",
    'INSERT INTO claims_datastamp ("table", last_change, "rows") '
    "SELECT 'terms', max(updated_at), count(*) FROM claims_term",
]


def exact_duplicates(evidence_model) -> list[list[int]]:
    """Groups of records equal in everything the new constraint compares."""
    groups: dict[tuple, list[int]] = {}
    for pk, *key in evidence_model.objects.values_list("pk", *SCALAR_KEY):
        groups.setdefault(tuple(key), []).append(pk)
    return [sorted(pks) for pks in groups.values() if len(pks) > 1]


def link_legacy_cancer_types(apps) -> None:
    """Each record's (and each history version's) free text as term links."""
    Term = apps.get_model("claims", "Term")
    Evidence = apps.get_model("claims", "Evidence")
    Historical = apps.get_model("claims", "HistoricalEvidence")
    HistoricalLinks = apps.get_model("claims", "HistoricalEvidence_cancer_types")
    Links = Evidence.cancer_types.through
    legacy = Evidence.objects.exclude(cancer_type="").values_list("pk", "cancer_type")
    Links.objects.bulk_create(
        [
            Links(evidence_id=pk, term_id=term)
            for pk, term in cancer_type_links(Term, legacy.iterator())
        ],
        batch_size=1000,
    )
    # A version's link keeps the id of the record's link, where it still has it.
    link_ids = {
        (evidence, term): pk
        for pk, evidence, term in Links.objects.values_list("pk", "evidence_id", "term_id")
    }
    versions = Historical.objects.exclude(cancer_type="")
    evidence_of = dict(versions.values_list("history_id", "id"))
    HistoricalLinks.objects.bulk_create(
        [
            HistoricalLinks(
                id=link_ids.get((evidence_of[version], term), 0),
                history_id=version,
                evidence_id=evidence_of[version],
                term_id=term,
            )
            for version, term in cancer_type_links(
                Term, versions.values_list("history_id", "cancer_type").iterator()
            )
        ],
        batch_size=1000,
    )


def forwards(apps, schema_editor):
    Evidence = apps.get_model("claims", "Evidence")
    duplicates = exact_duplicates(Evidence)
    if duplicates:
        named = "; ".join(", ".join(f"#{pk}" for pk in group) for group in duplicates)
        raise RuntimeError(
            "Evidence records that differ only in their cancer type would become "
            f"exact duplicates: {named}. List all the cancer types on one record "
            "of each group (reject or delete the others), then migrate again."
        )
    vocabulary = read_vocabulary_file(choices=choices_of(Evidence))
    terms_sync(apps.get_model("claims", "Term"), vocabulary)
    link_legacy_cancer_types(apps)
    if schema_editor.connection.vendor == "postgresql":
        # The schema changes that follow must not meet pending foreign-key checks.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def backwards(apps, schema_editor):
    """The free text again, from the labels of each record's terms."""
    Evidence = apps.get_model("claims", "Evidence")
    HistoricalLinks = apps.get_model("claims", "HistoricalEvidence_cancer_types")
    Historical = apps.get_model("claims", "HistoricalEvidence")
    for model, links, key in (
        (Evidence, Evidence.cancer_types.through.objects, "evidence_id"),
        (Historical, HistoricalLinks.objects, "history_id"),
    ):
        texts: dict[int, list[str]] = {}
        rows = links.order_by(key, "term__label").values_list(key, "term__label")
        for pk, label in rows:
            texts.setdefault(pk, []).append(label.lower())
        for pk, labels in texts.items():
            model.objects.filter(pk=pk).update(cancer_type=", ".join(labels)[:100])


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in TRIGGERS:
            schema_editor.execute(statement)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for event in ("insert", "update", "delete", "truncate"):
            schema_editor.execute(f"DROP TRIGGER claims_stamp_{event} ON claims_term")
        schema_editor.execute("DELETE FROM claims_datastamp WHERE \"table\" = 'terms'")


def grant_term_views(apps, schema_editor):
    """Curators and editors pick cancer types in the admin: they see the terms."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="claims", codename__in=codenames
                )
            )


def revoke_term_views(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="claims", codename="view_term"
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0011_rules_v2_stored_verdicts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Term",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("vocabulary", models.CharField(choices=[("cancer_type", "Cancer type"), ("msc_source", "MSC source"), ("species", "Species"), ("model", "Experimental model")], max_length=20)),
                ("slug", models.SlugField(max_length=100)),
                ("label", models.CharField(max_length=200)),
                ("ontology_id", models.CharField(blank=True, help_text="E.g. NCIT:C3224; empty where no identifier was verified.", max_length=40, verbose_name="ontology identifier")),
            ],
            options={
                "ordering": ["vocabulary", "label", "slug"],
            },
        ),
        migrations.AddConstraint(
            model_name="term",
            constraint=models.UniqueConstraint(fields=("vocabulary", "slug"), name="term_one_slug_per_vocabulary"),
        ),
        migrations.AddField(
            model_name="evidence",
            name="cancer_types",
            field=models.ManyToManyField(blank=True, help_text="Every tumor type the finding was made in, from the vocabulary.", limit_choices_to={"vocabulary": CANCER_TYPE}, related_name="evidence", to="claims.term"),
        ),
        migrations.CreateModel(
            name="HistoricalEvidence_cancer_types",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                ("evidence", models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="claims.evidence")),
                ("history", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to="claims.historicalevidence")),
                ("term", models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="claims.term")),
            ],
            options={
                "verbose_name": "HistoricalEvidence_cancer_types",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RemoveConstraint(
            model_name="evidence",
            name="evidence_no_exact_duplicate",
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="evidence",
            name="cancer_type",
        ),
        migrations.RemoveField(
            model_name="historicalevidence",
            name="cancer_type",
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(fields=("claim", "publication", "stance", "effect", "level", "msc_source", "species", "model", "immune_status", "delivery"), name="evidence_no_exact_duplicate", violation_error_message="The same evidence is already recorded for this claim and paper; a finding made in several cancer types is one record listing them all."),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
        migrations.RunPython(grant_term_views, revoke_term_views),
    ]
