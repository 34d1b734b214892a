"""The columns of each list's CSV export: flat rows, one value per cell (a
record's several cancer types in one cell, their labels joined by "; ")."""

from collections.abc import Iterable

from rest_framework import serializers

from claims.api.serializers import (
    EFFECTS,
    STANCES,
    TopicSerializer,
    authors,
    cancer_types_of,
)
from claims.models import Claim, Evidence, Publication, Review

TERMS_SEPARATOR = "; "


class ReviewCsvSerializer(serializers.ModelSerializer):
    pmid = serializers.IntegerField(source="publication.pmid")
    title = serializers.CharField(source="publication.title")
    topic_count = serializers.IntegerField()

    class Meta:
        model = Review
        fields = ["slug", "pmid", "title", "summary", "topic_count"]


class TopicCsvSerializer(TopicSerializer):
    class Meta(TopicSerializer.Meta):
        fields = ["slug", "name", "description", "position", "review", "claim_count"]


class ClaimCsvSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    evidence = serializers.IntegerField(source="n_accepted")
    supports = serializers.IntegerField(source="n_supports")
    refutes = serializers.IntegerField(source="n_refutes")
    qualifies = serializers.IntegerField(source="n_qualifies")
    pro_tumor = serializers.IntegerField(source="n_pro_tumor")
    anti_tumor = serializers.IntegerField(source="n_anti_tumor")
    no_effect = serializers.IntegerField(source="n_no_effect")
    mixed = serializers.IntegerField(source="n_mixed")
    not_assessed = serializers.IntegerField(source="n_not_assessed")

    class Meta:
        model = Claim
        fields = [
            "slug",
            "topic",
            "statement",
            "setting",
            "status",
            "status_reason",
            "status_rules_version",
            "evidence",
            *STANCES,
            *EFFECTS,
        ]


def cancer_type_labels_of(pks: Iterable[int]) -> dict[int, str]:
    """Each record's cancer types as its CSV cell, by pk, in one query."""
    return {
        pk: TERMS_SEPARATOR.join(term["label"] for term in terms)
        for pk, terms in cancer_types_of(pks).items()
    }


class EvidenceCsvSerializer(serializers.ModelSerializer):
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.CharField(source="claim.topic.slug")
    pmid = serializers.IntegerField(source="publication.pmid")
    year = serializers.IntegerField(source="publication.year")
    retracted = serializers.BooleanField(source="publication.is_retracted")
    cancer_types = serializers.SerializerMethodField()

    # The streamed export (views.export) reads these for each chunk of rows.
    plain_values = {"cancer_types": cancer_type_labels_of}

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "topic",
            "pmid",
            "year",
            "retracted",
            "stance",
            "effect",
            "level",
            "msc_source",
            "species",
            "cancer_types",
            "model",
            "immune_status",
            "delivery",
            "msc_tumor_ratio",
            "finding",
            "quote",
            "rating",
            "status",
        ]

    def get_cancer_types(self, evidence: Evidence) -> str:
        return TERMS_SEPARATOR.join(term.label for term in evidence.cancer_types.all())


# The same columns read as plain values, for the streamed export (views.export);
# the record's id first, which plain_values are computed from.
EVIDENCE_CSV_VALUES = {
    "id": "id",
    "claim": "claim__slug",
    "topic": "claim__topic__slug",
    "pmid": "publication__pmid",
    "year": "publication__year",
    "retracted": "publication__is_retracted",
    **{
        name: name
        for name in EvidenceCsvSerializer.Meta.fields
        if name not in ("id", "claim", "topic", "pmid", "year", "retracted")
        and name not in EvidenceCsvSerializer.plain_values
    },
}


class PublicationCsvSerializer(serializers.ModelSerializer):
    authors = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
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
            "is_retracted",
            "metadata_state",
        ]

    def get_authors(self, publication: Publication) -> str:
        return "; ".join(
            a["collective_name"] or f"{a['last_name']} {a['initials']}".strip()
            for a in authors(publication)
        )
