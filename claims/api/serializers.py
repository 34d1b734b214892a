"""How reviews, topics, claims, evidence and publications look in the API.

Read serializers only shape output; the write serializers only parse input,
and the views hand what they parsed to the curation services.
"""

from collections.abc import Iterable, Mapping
from urllib.parse import quote

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import Hyperlink

from claims.literature.citations import MAX_PMID
from claims.models import Claim, Evidence, Publication, Review, Term, Topic
from claims.status_rules import RULES_VERSION

STANCES = Evidence.Stance.values
EFFECTS = Evidence.Effect.values


PLACEHOLDER = "0lookup0"


class IdentityField(serializers.HyperlinkedIdentityField):
    """A record's own URL, reversed once per request and view, then filled in.

    reverse() for each of the 240 links of a claim with 120 records took half the
    time of serializing it (14 of 30 ms).
    """

    def get_url(self, obj, view_name, request, format):
        lookup = getattr(obj, self.lookup_field)
        if format or request is None or lookup in (None, ""):
            return super().get_url(obj, view_name, request, format)
        return Hyperlink(
            self.template(request).replace(PLACEHOLDER, quote(str(lookup), safe="")),
            obj,
        )

    def template(self, request) -> str:
        """The URL of this view with PLACEHOLDER for the lookup, once a request."""
        templates = request.__dict__.setdefault("_identity_urls", {})
        if self.view_name not in templates:
            kwargs = {self.lookup_url_kwarg: PLACEHOLDER}
            templates[self.view_name] = self.reverse(
                self.view_name, kwargs=kwargs, request=request
            )
        return templates[self.view_name]


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


class AuthorSerializer(serializers.Serializer):
    last_name = serializers.CharField()
    fore_name = serializers.CharField()
    initials = serializers.CharField()
    collective_name = serializers.CharField(
        help_text="Set, instead of the names, for a group author."
    )
    orcid = serializers.CharField()


def authors(publication: Publication) -> list[dict[str, str]]:
    """The ordered authors, every key present."""
    keys = AuthorSerializer().fields
    return [
        {key: str(author.get(key) or "") for key in keys}
        for author in publication.authors or []
        if isinstance(author, dict)
    ]


class PublicationSummarySerializer(serializers.ModelSerializer):
    """A paper as cited from a claim or a piece of evidence."""

    url = IdentityField(view_name="api:publication-detail", lookup_field="pmid")

    class Meta:
        model = Publication
        fields = [
            "pmid",
            "url",
            "title",
            "first_author",
            "journal",
            "year",
            "doi",
            "is_retracted",
        ]


class PublicationSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:publication-detail", lookup_field="pmid")
    authors = serializers.SerializerMethodField()
    pubmed_url = serializers.URLField(read_only=True)

    class Meta:
        model = Publication
        fields = [
            "pmid",
            "url",
            "pubmed_url",
            "title",
            "authors",
            "first_author",
            "journal",
            "journal_iso",
            "volume",
            "issue",
            "pages",
            "pub_date",
            "year",
            "abstract",
            "doi",
            "pmcid",
            "mesh_terms",
            "publication_types",
            "is_retracted",
            "retraction_notice_pmid",
            "erratum_pmids",
            "expression_of_concern_pmids",
            "superseded_by_pmid",
            "metadata_state",
            "fetched_at",
            "updated_at",
        ]

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, publication: Publication) -> list[dict[str, str]]:
        return authors(publication)


class PublicationCreateSerializer(StrictInput, serializers.Serializer):
    pmid = serializers.IntegerField(min_value=1, max_value=MAX_PMID)


class ReviewSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:review-detail", lookup_field="slug")
    publication = PublicationSummarySerializer(read_only=True)
    topic_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Review
        fields = ["slug", "url", "publication", "summary", "topic_count"]


class TopicSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:topic-detail", lookup_field="slug")
    review = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = [
            "slug",
            "url",
            "name",
            "description",
            "position",
            "review",
            "claim_count",
        ]


class StanceCountsSerializer(serializers.Serializer):
    supports = serializers.IntegerField()
    refutes = serializers.IntegerField()
    qualifies = serializers.IntegerField()


class EffectCountsSerializer(serializers.Serializer):
    pro_tumor = serializers.IntegerField()
    anti_tumor = serializers.IntegerField()
    no_effect = serializers.IntegerField()
    mixed = serializers.IntegerField()
    not_assessed = serializers.IntegerField()


class CountsSerializer(serializers.Serializer):
    """Accepted evidence records (findings, counted or not), by stance and by
    effect; the verdict's own counts, in papers, are under `strength`."""

    total = serializers.IntegerField()
    by_stance = StanceCountsSerializer()
    by_effect = EffectCountsSerializer()


def evidence_counts_body(found: Mapping[str, int]) -> dict:
    """CountsSerializer's shape of claims.selectors' counts of one claim."""
    return {
        "total": found["accepted"],
        "by_stance": {s: found[s] for s in STANCES},
        "by_effect": {e: found[e] for e in EFFECTS},
    }


class StrengthSerializer(serializers.ModelSerializer):
    """How strong the counted evidence is: distinct papers, as the rules count."""

    papers = serializers.IntegerField(source="n_papers", help_text="Counted papers.")
    supporting = serializers.IntegerField(source="n_supporting")
    refuting = serializers.IntegerField(source="n_refuting")
    qualifying = serializers.IntegerField(source="n_qualifying")
    in_vivo = serializers.IntegerField(source="n_in_vivo")
    human = serializers.IntegerField(source="n_human")
    mean_rating = serializers.FloatField(
        allow_null=True, help_text="Mean rating of the counted findings, 1-5."
    )
    thin = serializers.BooleanField(
        source="thin_evidence",
        help_text="The verdict rests on one paper or on in vitro work alone.",
    )
    left_out = serializers.JSONField(
        help_text="Accepted records not counted, by reason (retracted, review, "
        "not_fetched, missing, title_mismatch, low_rating)."
    )

    class Meta:
        model = Claim
        fields = [
            "papers",
            "supporting",
            "refuting",
            "qualifying",
            "in_vivo",
            "human",
            "mean_rating",
            "thin",
            "left_out",
        ]


class ClaimSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:claim-detail", lookup_field="slug")
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_rules_version = serializers.CharField(
        read_only=True,
        help_text=f"Version of the status rules that computed the status "
        f"(current: {RULES_VERSION}).",
    )
    status_rule = serializers.CharField(
        read_only=True, help_text="The rule that gave the status (see /methods/)."
    )
    strength = StrengthSerializer(source="*", read_only=True)
    evidence_counts = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "slug",
            "url",
            "topic",
            "statement",
            "setting",
            "kind",
            "position",
            "status",
            "status_rule",
            "status_reason",
            "status_rules_version",
            "strength",
            "evidence_counts",
            "updated_at",
        ]

    @extend_schema_field(CountsSerializer)
    def get_evidence_counts(self, claim: Claim) -> dict:
        """From the counts the view set on the claim (claims.selectors)."""
        return evidence_counts_body(claim.evidence_found)


class TermSerializer(serializers.ModelSerializer):
    """A term of a controlled vocabulary, with its ontology identifier."""

    ontology_id = serializers.CharField(
        help_text="A CURIE, e.g. NCIT:C3224 (NCI Thesaurus); empty where none "
        "was verified."
    )

    class Meta:
        model = Term
        fields = ["slug", "label", "ontology_id"]


def cancer_types_of(pks: Iterable[int]) -> dict[int, list[dict[str, str]]]:
    """TermSerializer's output of the cancer types of each record, by pk, in
    the terms' order: for many records in one query."""
    found: dict[int, list[dict[str, str]]] = {pk: [] for pk in pks}
    links = Evidence.cancer_types.through.objects.filter(evidence_id__in=list(found))
    columns = ["evidence_id", *(f"term__{name}" for name in TermSerializer.Meta.fields)]
    ordered = links.order_by(*(f"term__{name}" for name in Term._meta.ordering))
    for pk, *values in ordered.values_list(*columns):
        found[pk].append(dict(zip(TermSerializer.Meta.fields, values, strict=True)))
    return found


EVIDENCE_FIELDS = [
    "id",
    "url",
    "claim",
    "publication",
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
    "review_reason",
    "needs_rereview",
    "created_at",
    "updated_at",
]


class EvidenceSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:evidence-detail")
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    publication = PublicationSummarySerializer(read_only=True)
    cancer_types = serializers.SerializerMethodField()

    # Pages read as plain values (claims.api.plain) get each method field's
    # values for the page's records at once, by pk.
    plain_values = {"cancer_types": cancer_types_of}

    class Meta:
        # Not read_only_fields: DRF would drop allow_blank, and the schema would
        # then deny the blank that an unreported context facet is.
        model = Evidence
        fields = EVIDENCE_FIELDS

    @extend_schema_field(TermSerializer(many=True))
    def get_cancer_types(self, evidence: Evidence) -> list[dict[str, str]]:
        """Every cancer type the finding was made in, with its identifier."""
        return TermSerializer(evidence.cancer_types.all(), many=True).data


class ClaimEvidenceSerializer(EvidenceSerializer):
    """Evidence nested in its claim: the claim is implied."""

    class Meta(EvidenceSerializer.Meta):
        fields = [f for f in EVIDENCE_FIELDS if f != "claim"]


class ClaimDetailSerializer(ClaimSerializer):
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "topic_name", "evidence"]

    @extend_schema_field(ClaimEvidenceSerializer(many=True))
    def get_evidence(self, claim: Claim) -> list[dict]:
        """The accepted records the caller set on the claim."""
        return ClaimEvidenceSerializer(
            claim.accepted_evidence, many=True, context=self.context
        ).data


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
        fields = [
            "claim",
            "publication",
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
        ]
        # The curation services own the rules (duplicates included).
        validators: list = []


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
