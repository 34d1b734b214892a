"""The read shape of each resource: what the API's schema documents, and what
its plan (claims.exports.plans) compiles into the one read of it.

Reviews, topics, claims, a claim's detail, evidence and publications: each
serializer here is only ever a declaration; no record is read through it but
in tests, which hold a plan's output byte for byte equal to its serializer's.
A value not in the record's row is an Extra, computed for a batch of records
in one query, or Derived from one column.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from drf_spectacular.utils import OpenApiTypes
from rest_framework import serializers

from claims.exports.plans import Derived, Extra, IdentityField, plan
from claims.facets import CONTEXT_FACETS, TERM_FACETS
from claims.models import (
    PUBMED_FIELDS,
    Claim,
    Evidence,
    Publication,
    Review,
    Term,
    Topic,
)
from claims.selectors import evidence_counts
from claims.status_rules import RULES_VERSION

STANCES = Evidence.Stance.values
EFFECTS = Evidence.Effect.values


class AuthorSerializer(serializers.Serializer):
    last_name = serializers.CharField()
    fore_name = serializers.CharField()
    initials = serializers.CharField()
    suffix = serializers.CharField(help_text="Jr, II: as PubMed gives it.")
    collective_name = serializers.CharField(
        help_text="Set, instead of the names, for a group author."
    )
    orcid = serializers.CharField()


AUTHOR_KEYS = list(AuthorSerializer._declared_fields)


def authors(stored: list | None) -> list[dict[str, str]]:
    """The ordered authors of a paper's stored list, every key present."""
    return [
        {key: str(author.get(key) or "") for key in AUTHOR_KEYS}
        for author in stored or []
        if isinstance(author, dict)
    ]


def abstract_html(sections: list | None) -> str:
    """The abstract with PubMed's inline markup (claims.literature.pubmed.markup):
    its parts' html, each after its label, as `abstract` joins their text."""
    parts = [
        (str(part.get("label") or ""), str(part.get("html") or ""))
        for part in sections or []
        if isinstance(part, dict) and part.get("html")
    ]
    return "\n\n".join(f"{label}: {text}" if label else text for label, text in parts)


def pubmed_url(pmid: int) -> str:
    return Publication(pmid=pmid).pubmed_url


def counted(model: type, related: str) -> Extra:
    """An Extra: how many `related` records each record has."""

    def batch(pks: list, request) -> dict[Any, int]:
        found = model.objects.filter(pk__in=pks).annotate(n=Count(related))
        return dict(found.order_by().values_list("pk", "n"))

    return Extra(batch, OpenApiTypes.INT)


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


# What PubMed owns that the API does not serve: the abstract's parts (the
# abstract is served whole) and the refresh's own bookkeeping.
NOT_SERVED = frozenset(
    {"abstract_sections", "date_revised", "medline_status", "last_error", "record_hash"}
)


class PublicationSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:publication-detail", lookup_field="pmid")
    authors = Derived("authors", authors, AuthorSerializer(many=True))
    pubmed_url = Derived("pmid", pubmed_url, OpenApiTypes.URI)
    abstract_html = Derived(
        "abstract_sections",
        abstract_html,
        OpenApiTypes.STR,
        help_text="The abstract with PubMed's inline markup: the text escaped, "
        "only <i>, <b>, <sup>, <sub> and <u>; empty if PubMed gave none.",
    )

    class Meta:
        model = Publication
        fields = [
            "pmid",
            "url",
            "pubmed_url",
            *(name for name in PUBMED_FIELDS if name not in NOT_SERVED),
            "abstract_html",
            # The title a curator checked: until PubMed's arrives, the one the
            # pages show and the citations cite.
            "curated_title",
            "updated_at",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:review-detail", lookup_field="slug")
    publication = PublicationSummarySerializer(read_only=True)
    topic_count = counted(Review, "topics")

    class Meta:
        model = Review
        fields = ["slug", "url", "publication", "summary", "topic_count"]


class TopicSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:topic-detail", lookup_field="slug")
    review = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claim_count = counted(Topic, "claims")

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


def evidence_counts_body(found) -> dict:
    """CountsSerializer's shape of claims.selectors' counts of one claim."""
    return {
        "total": found["accepted"],
        "by_stance": {s: found[s] for s in STANCES},
        "by_effect": {e: found[e] for e in EFFECTS},
    }


def evidence_counts_of(pks: list, request) -> dict[int, dict]:
    """CountsSerializer's output for each claim, in one query."""
    counts = evidence_counts(pks)
    return {pk: evidence_counts_body(counts[pk]) for pk in pks}


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
    evidence_counts = Extra(evidence_counts_of, CountsSerializer)

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


class TermSerializer(serializers.ModelSerializer):
    """A term of a controlled vocabulary, with its ontology identifier."""

    ontology_id = serializers.CharField(
        help_text="A CURIE, e.g. NCIT:C3224 (NCI Thesaurus); empty where none "
        "was verified."
    )

    class Meta:
        model = Term
        fields = ["slug", "label", "ontology_id"]


def cancer_types_of(pks: Iterable[int], request=None) -> dict[int, list[dict]]:
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
    "not_reported",
    "finding",
    "quote",
    "rating",
    "status",
    "review_reason",
    "needs_rereview",
    "created_at",
    "updated_at",
]


def _unreported(name: str) -> Derived:
    """A context facet's value, null where the abstract does not report it
    (the database keeps that as "", a choice field's blank)."""
    field = Evidence._meta.get_field(name)
    return Derived(
        name,
        lambda value: value or None,
        serializers.ChoiceField(choices=field.choices, allow_null=True),
        help_text=f"{field.verbose_name.capitalize()}; null when not reported.",
    )


# The context facets of one value: null when not reported.
UNREPORTED_AS_NULL = tuple(name for name in CONTEXT_FACETS if name not in TERM_FACETS)


class EvidenceSerializer(serializers.ModelSerializer):
    url = IdentityField(view_name="api:evidence-detail")
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    publication = PublicationSummarySerializer(read_only=True)
    cancer_types = Extra(
        cancer_types_of,
        TermSerializer(many=True),
        help_text="Every cancer type the finding was made in, with its identifier.",
    )
    msc_source = _unreported("msc_source")
    species = _unreported("species")
    model = _unreported("model")
    immune_status = _unreported("immune_status")
    delivery = _unreported("delivery")

    class Meta:
        # Not read_only_fields: DRF would drop allow_blank, and the schema would
        # then deny the blank that an unreported context facet is.
        model = Evidence
        fields = EVIDENCE_FIELDS


class ClaimEvidenceSerializer(EvidenceSerializer):
    """Evidence nested in its claim: the claim is implied."""

    class Meta(EvidenceSerializer.Meta):
        fields = [f for f in EVIDENCE_FIELDS if f != "claim"]


def accepted_evidence_of(pks: list, request) -> dict[int, list[dict]]:
    """ClaimEvidenceSerializer's output of each claim's accepted records, in the
    claim's own order."""
    nested = plan(ClaimEvidenceSerializer)
    accepted = Evidence.objects.accepted().filter(claim__in=pks)
    # By claim, then in each its own order (Evidence's, but ordering by the
    # claim itself would join its topic).
    within_claim = Evidence._meta.ordering[1:]
    ordered = accepted.order_by("claim_id", *within_claim)
    values = list(ordered.values_list(*nested.paths, "claim"))
    found: dict[int, list[dict]] = defaultdict(list)
    for row, record in zip(values, nested.rows(values, request), strict=True):
        found[row[-1]].append(record)
    return {pk: found[pk] for pk in pks}


class ClaimDetailSerializer(ClaimSerializer):
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    evidence = Extra(
        accepted_evidence_of,
        ClaimEvidenceSerializer(many=True),
        help_text="The claim's accepted evidence records.",
    )

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "topic_name", "evidence"]
