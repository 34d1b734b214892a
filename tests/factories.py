"""factory_boy factories for the domain models."""

import factory

from claims.models import Claim, Evidence, Publication, Review, Term, Topic
from claims.services import evidence_save


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    pmid = factory.Sequence(lambda n: 10_000_000 + n)
    title = factory.Faker("sentence", nb_words=8)
    first_author = factory.Faker("last_name")
    journal = "Cancer Res"
    year = 2006
    # Confirmed by PubMed, so its evidence counts; tests of the other states
    # say so.
    metadata_state = Publication.MetadataState.CURRENT
    verification = Publication.Verification.VERIFIED


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    publication = factory.SubFactory(PublicationFactory)
    slug = factory.Sequence(lambda n: f"review-{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    review = factory.SubFactory(ReviewFactory)
    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    topic = factory.SubFactory(TopicFactory)
    slug = factory.Sequence(lambda n: f"claim-{n}")
    statement = "Bone marrow MSC promote the growth of primary tumors."
    setting = Claim.Setting.PRIMARY_TUMOR


class TermFactory(factory.django.DjangoModelFactory):
    """A cancer-type term by default; the vocabulary's own term if it has one."""

    class Meta:
        model = Term
        django_get_or_create = ("vocabulary", "slug")

    vocabulary = Term.Vocabulary.CANCER_TYPE
    slug = factory.Sequence(lambda n: f"cancer-{n}")
    label = factory.LazyAttribute(lambda term: term.slug.replace("-", " "))


def cancer_terms(values) -> list[Term]:
    """Terms for slugs (made if the vocabulary lacks them) or terms as they are."""
    return [v if isinstance(v, Term) else TermFactory(slug=v) for v in values]


class EvidenceFactory(factory.django.DjangoModelFactory):
    """Evidence; `cancer_types=["melanoma", ...]` (slugs or terms) are saved with
    the record, as one version in its history, as the curation services do."""

    class Meta:
        model = Evidence

    @classmethod
    def _create(cls, model_class, *args, cancer_types=(), **kwargs):
        evidence = model_class(*args, **kwargs)
        terms = cancer_terms(cancer_types) if cancer_types else None
        return evidence_save(evidence=evidence, cancer_types=terms)

    claim = factory.SubFactory(ClaimFactory)
    publication = factory.SubFactory(PublicationFactory)
    stance = Evidence.Stance.SUPPORTS
    effect = Evidence.Effect.PRO_TUMOR
    level = Evidence.Level.ANIMAL
    finding = "MSC co-injected with tumor cells enlarged the tumors."
    rating = 3
    status = Evidence.Status.ACCEPTED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        from django.contrib.auth.models import Group

        for name in names or ():
            self.groups.add(Group.objects.get(name=name))
