"""The pages search engines and archives should know of: sitemap.xml."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from claims.models import Claim, Publication, Topic


class PagesSitemap(Sitemap):
    """The pages that are no record's."""

    def items(self):
        return ["home", "claim_list", "topic_list", "publication_list", "methods"]

    def location(self, item):
        return reverse(f"claims:{item}")


class ClaimSitemap(Sitemap):
    def items(self):
        return Claim.objects.order_by("pk").only("slug", "updated_at")

    def location(self, claim):
        return reverse("claims:claim_detail", args=[claim.slug])

    def lastmod(self, claim):
        return claim.updated_at


class TopicSitemap(Sitemap):
    def items(self):
        return Topic.objects.order_by("pk").only("slug", "updated_at")

    def location(self, topic):
        return reverse("claims:topic_detail", args=[topic.slug])

    def lastmod(self, topic):
        return topic.updated_at


class PublicationSitemap(Sitemap):
    def items(self):
        return Publication.objects.order_by("pk").only("pmid", "updated_at")

    def location(self, publication):
        return reverse("claims:publication_detail", args=[publication.pmid])

    def lastmod(self, publication):
        return publication.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "claims": ClaimSitemap,
    "topics": TopicSitemap,
    "publications": PublicationSitemap,
}
