from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Prefetch

from bench.scale_data import PMID_BASE, SLUG_PREFIX
from claims.models import Claim, Evidence, Publication, Review, Term, Topic
from claims.selectors import claim_verdict
from claims.status_rules import RULES_VERSION, ClaimStatus

pytestmark = pytest.mark.django_db

SMALL = {"claims": 50, "evidence": 300, "publications": 120, "reviews": 2}
# Big enough for shares of a few percent to show, still under a few seconds.
MEDIUM = {"claims": 300, "evidence": 3000, "publications": 1200, "reviews": 3}
AUTHOR_KEYS = {
    "last_name",
    "fore_name",
    "initials",
    "suffix",
    "collective_name",
    "orcid",
}


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_scale_data", **(SMALL | options), stdout=out)
    return out.getvalue()


def clear() -> str:
    out = StringIO()
    call_command("generate_scale_data", clear=True, stdout=out)
    return out.getvalue()


def generated_publications():
    return Publication.objects.filter(pmid__gte=PMID_BASE)


def generated_claims():
    return Claim.objects.filter(slug__startswith=SLUG_PREFIX)


def generated_evidence():
    return Evidence.objects.filter(claim__slug__startswith=SLUG_PREFIX)


def dump() -> dict[str, list]:
    """Every generated row, its links by slug and PMID, not database ids."""

    def rows(queryset, order, *links):
        fields = [
            f.attname
            for f in queryset.model._meta.concrete_fields
            if not (f.primary_key or f.is_relation)
        ]
        return list(queryset.order_by(*order).values_list(*fields, *links))

    generated = {"slug__startswith": SLUG_PREFIX}
    return {
        "publications": rows(generated_publications(), ["pmid"]),
        "reviews": rows(
            Review.objects.filter(**generated), ["slug"], "publication__pmid"
        ),
        "topics": rows(Topic.objects.filter(**generated), ["slug"], "review__slug"),
        "claims": rows(generated_claims(), ["slug"], "topic__slug"),
        "evidence": rows(
            generated_evidence(),
            ["claim__slug", "publication__pmid"],
            "claim__slug",
            "publication__pmid",
        ),
        "evidence cancer types": list(
            Evidence.cancer_types.through.objects.filter(
                evidence__claim__slug__startswith=SLUG_PREFIX
            )
            .order_by("evidence__claim__slug", "evidence__publication__pmid", "term")
            .values_list(
                "evidence__claim__slug", "evidence__publication__pmid", "term__slug"
            )
        ),
    }


def test_generates_exactly_the_requested_numbers_of_rows():
    output = generate()

    assert generated_publications().count() == 120
    assert generated_claims().count() == 50
    assert generated_evidence().count() == 300
    assert Review.objects.filter(slug__startswith=SLUG_PREFIX).count() == 2
    for review in Review.objects.filter(slug__startswith=SLUG_PREFIX):
        assert 12 <= review.topics.count() <= 16
    assert "50 claims, 300 evidence" in output


def test_the_same_seed_gives_identical_rows():
    generate(seed=7)
    first = dump()
    clear()
    generate(seed=7)

    assert dump() == first
    assert first["evidence"]


def test_a_different_seed_gives_different_rows():
    generate(seed=1)
    first = dump()
    clear()
    generate(seed=2)

    second = dump()
    assert second["publications"] != first["publications"]
    assert second["claims"] != first["claims"]
    assert second["evidence"] != first["evidence"]


def test_clear_removes_generated_rows_and_leaves_the_shipped_review_alone():
    call_command("load_review", stdout=StringIO())
    shipped = {
        "publications": list(Publication.objects.values_list("pmid", "title")),
        "claims": list(Claim.objects.values_list("slug", "status", "status_reason")),
        "evidence": Evidence.objects.count(),
        "topics": Topic.objects.count(),
        "reviews": list(Review.objects.values_list("slug", flat=True)),
        "history": Publication.history.count() + Claim.history.count(),
    }
    generate()

    output = clear()

    assert not generated_publications().exists()
    assert not generated_claims().exists()
    assert "300 evidence" in output
    assert shipped == {
        "publications": list(Publication.objects.values_list("pmid", "title")),
        "claims": list(Claim.objects.values_list("slug", "status", "status_reason")),
        "evidence": Evidence.objects.count(),
        "topics": Topic.objects.count(),
        "reviews": list(Review.objects.values_list("slug", flat=True)),
        "history": Publication.history.count() + Claim.history.count(),
    }


def test_generating_again_without_clearing_is_refused():
    generate()

    with pytest.raises(CommandError, match="clear it first"):
        generate(seed=2)


def test_more_evidence_than_claims_can_cite_is_refused():
    with pytest.raises(CommandError, match="at most"):
        generate(claims=2, evidence=300, publications=12)


def test_generation_writes_no_history_rows():
    generate()

    assert not Publication.history.exists()
    assert not Claim.history.exists()
    assert not Evidence.history.exists()


@pytest.fixture(scope="class")
def medium_data_set(django_db_setup, django_db_blocker):
    """Generated once for the read-only tests below, and cleared after them."""
    with django_db_blocker.unblock():
        generate(**MEDIUM)
        yield
        clear()


@pytest.mark.usefixtures("medium_data_set")
class TestAMediumDataSet:
    def test_every_claim_stores_the_status_the_rules_give_its_accepted_evidence(self):
        claims = generated_claims().prefetch_related(
            Prefetch(
                "evidence", queryset=Evidence.objects.select_related("publication")
            )
        )
        for claim in claims:
            wanted = claim_verdict(claim=claim).stored()
            assert {name: getattr(claim, name) for name in wanted} == wanted
            assert claim.status_rules_version == RULES_VERSION

    def test_stances_statuses_and_moderation_are_spread_as_in_a_curated_review(self):
        stances = Counter(generated_evidence().values_list("stance", flat=True))
        statuses = Counter(generated_claims().values_list("status", flat=True))
        moderation = Counter(generated_evidence().values_list("status", flat=True))
        assert stances.most_common(1)[0][0] == Evidence.Stance.SUPPORTS
        assert 0.7 < stances["supports"] / 3000 < 0.95
        assert stances["refutes"] > 0
        assert stances["qualifies"] > 0
        assert statuses[ClaimStatus.CONTESTED] > 0
        assert statuses[ClaimStatus.CONTEXT_DEPENDENT] > 0
        assert statuses[ClaimStatus.REFUTED] > 0
        assert statuses[ClaimStatus.INSUFFICIENT] > 0
        assert statuses[ClaimStatus.ESTABLISHED] + statuses[ClaimStatus.SUPPORTED] > 150
        assert moderation.most_common(1)[0][0] == Evidence.Status.ACCEPTED
        assert set(moderation) == set(Evidence.Status.values)

    def test_context_facets_are_coherent_and_blank_where_the_level_has_none(self):
        evidence = generated_evidence()
        assert set(evidence.values_list("level", flat=True)) == set(
            Evidence.Level.values
        )
        assert set(evidence.values_list("effect", flat=True)) == set(
            Evidence.Effect.values
        )
        assert not evidence.filter(level="review").exclude(model="").exists()
        assert not evidence.filter(level="in_vitro").exclude(immune_status="").exists()
        assert evidence.filter(cancer_types=None).exists()
        assert evidence.filter(cancer_types__slug="multiple-myeloma").exists()
        two = evidence.annotate(n=Count("cancer_types")).filter(n=2)
        assert 0 < two.count() < 0.1 * 3000
        assert (
            not Term.objects.cancer_types()
            .filter(ontology_id="")
            .exclude(slug__in=["insulinoma", "pancreatic-carcinoma"])
            .exists()
        )  # every name drawn is a term of the vocabulary
        assert evidence.filter(msc_source="").exists()
        assert evidence.filter(delivery="co_injection", level="animal").exists()
        assert all(1 <= r <= 5 for r in evidence.values_list("rating", flat=True))

    def test_a_claim_cites_each_paper_once(self):
        pairs = generated_evidence().values_list("claim_id", "publication_id")
        assert len(set(pairs)) == len(pairs)

    def test_publications_look_like_pubmed_records(self):
        fetched = generated_publications().filter(metadata_state="current")
        years = sorted(fetched.values_list("year", flat=True))
        assert years[0] >= 1985
        assert years[-1] <= 2025
        assert years[len(years) // 2] >= 2012  # skewed to recent years
        assert fetched.count() > 0.95 * 1200
        for pub in fetched:
            assert 200 <= len(pub.abstract.split()) <= 300
            assert pub.authors
            # jsonb keeps keys in its own order; the author list keeps its order.
            assert all(set(author) == AUTHOR_KEYS for author in pub.authors)
            assert pub.first_author in (
                pub.authors[0]["last_name"],
                pub.authors[0]["collective_name"],
            )
        assert any(pub.abstract_sections[0]["label"] for pub in fetched)  # structured
        assert 0 < fetched.filter(is_retracted=True).count() < 0.02 * 1200
        assert any(pub.erratum_pmids for pub in fetched)
        assert generated_publications().exclude(metadata_state="current").exists()

    def test_review_articles_are_cited_at_the_review_level_and_only_they_are(self):
        evidence = generated_evidence().filter(publication__metadata_state="current")
        levels = Counter(
            ("Review" in e.publication.publication_types, e.level == "review")
            for e in evidence.select_related("publication")
        )
        assert levels[(True, True)] > 0
        assert levels[(False, False)] > 0
        assert levels[(True, False)] == levels[(False, True)] == 0
