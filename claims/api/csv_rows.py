"""The columns of each list's CSV export: flat rows, one value per cell."""

from rest_framework import serializers

from claims.api.serializers import EFFECTS, STANCES, TopicSerializer, authors
from claims.models import Claim, Evidence, Publication, Review


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


class EvidenceCsvSerializer(serializers.ModelSerializer):
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.CharField(source="claim.topic.slug")
    pmid = serializers.IntegerField(source="publication.pmid")
    year = serializers.IntegerField(source="publication.year")
    retracted = serializers.BooleanField(source="publication.is_retracted")

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
            "cancer_type",
            "model",
            "immune_status",
            "delivery",
            "msc_tumor_ratio",
            "finding",
            "quote",
            "rating",
            "status",
        ]


# The same columns read as plain values, for the streamed export (views.export).
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
