"""How reviews, topics, claims, evidence and publications look in the API.

The read shapes are declared below the API (claims.exports.shapes), since a
release reads records as the API does; the write serializers here only parse
input, and the views hand what they parsed to the curation services.
"""

from rest_framework import serializers

from claims.exports.shapes import (  # noqa: F401  the read shapes, for the views
    EVIDENCE_FIELDS,
    UNREPORTED_AS_NULL,
    ClaimDetailSerializer,
    ClaimSerializer,
    EvidenceSerializer,
    PublicationSerializer,
    ReviewSerializer,
    TermSerializer,
    TopicSerializer,
)
from claims.literature.citations import MAX_PMID
from claims.models import Claim, Evidence, Publication, Term


class StrictInput:
    """A body with a field the endpoint does not take is a 400, not ignored."""

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Not a field this endpoint takes."] for name in unknown}
                )
        return super().validate(attrs)


class PublicationCreateSerializer(StrictInput, serializers.Serializer):
    pmid = serializers.IntegerField(min_value=1, max_value=MAX_PMID)


# What a record shows but the workflow and the database set.
EVIDENCE_SET_BY_PORTAL = {"id", "url", "status", "review_reason", "needs_rereview"}
EVIDENCE_SET_BY_PORTAL |= {"created_at", "updated_at"}


class EvidenceWriteSerializer(StrictInput, serializers.ModelSerializer):
    """What a curator sends to record or change evidence."""

    claim = serializers.SlugRelatedField(
        slug_field="slug", queryset=Claim.objects.all(), help_text="The claim's slug."
    )
    publication = serializers.SlugRelatedField(
        slug_field="pmid",
        queryset=Publication.objects.all(),
        help_text="The paper's PMID; add it first with POST /api/v1/publications/.",
    )
    rating = serializers.IntegerField(min_value=1, max_value=5, default=3)
    cancer_types = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=Term.objects.cancer_types(),
        help_text="Slugs of cancer-type terms (their list is in GET /api/v1/info).",
    )

    class Meta:
        model = Evidence
        fields = [f for f in EVIDENCE_FIELDS if f not in EVIDENCE_SET_BY_PORTAL]
        # The curation services own the rules (duplicates included).
        validators: list = []
        # A context facet not reported: null, as the API shows it, or "".
        extra_kwargs = {name: {"allow_null": True} for name in UNREPORTED_AS_NULL}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for name in UNREPORTED_AS_NULL:
            if name in values and values[name] is None:
                values[name] = ""  # the database's blank choice
        return values


class ReasonSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )


class RejectSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it is rejected.")


class VocabularySerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="Version of the vocabulary file shipped with this portal."
    )
    cancer_type = TermSerializer(many=True)
    msc_source = TermSerializer(many=True)
    species = TermSerializer(many=True)
    model = TermSerializer(many=True)


class InfoSerializer(serializers.Serializer):
    data_version = serializers.DateTimeField(
        allow_null=True, help_text="Time of the last change to any record."
    )
    rules_version = serializers.CharField()
    vocabulary = VocabularySerializer(
        help_text="The controlled vocabularies: each facet's terms, with their "
        "ontology identifiers."
    )
    counts = serializers.DictField(child=serializers.IntegerField())
    claims_by_status = serializers.DictField(child=serializers.IntegerField())
