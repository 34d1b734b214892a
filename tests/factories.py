"""factory_boy factories for the domain models."""

import factory

from claims.models import Claim, Evidence, Publication, Review, Topic


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


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

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
