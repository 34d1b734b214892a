"""What changed, as an Atom feed: /feeds/changes.atom (?topic=, ?claim=).

Three kinds of change, newest first: a claim's status changing (between two
of its stored versions), a finding accepted (its first accepted version), and
an integrity notice on a paper (a refresh setting its retraction, erratum,
expression of concern or successor). Built on the history the portal keeps
anyway (django-simple-history, claims.models.PublicationChange).
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from claims.models import Claim, Evidence, PublicationChange, Topic
from claims.status_rules import ClaimStatus

# Each kind's newest this many: the feed shows the newest of them all.
LIMIT = 50
# The refresh fields that carry an integrity notice, and how it reads.
NOTICES = {
    "is_retracted": "retracted",
    "retraction_notice_pmid": "given a retraction notice",
    "erratum_pmids": "given an erratum",
    "expression_of_concern_pmids": "given an expression of concern",
    "superseded_by_pmid": "superseded by an updated version",
}


@dataclass(frozen=True)
class Change:
    kind: str  # status, accepted, notice
    title: str
    description: str
    link: str
    when: datetime.datetime
    key: str  # unique and stable: the feed entry's id


def _versions(model: type, rows: Q):
    """The stored versions of `model`'s rows, each with `before`: the status of
    the row's version before it (None for its first)."""
    return model.history.model.objects.filter(rows).annotate(
        before=Window(
            Lag("status"),
            partition_by=[F("id")],
            order_by=[F("history_date").asc(), F("history_id").asc()],
        )
    )


def _status_changes(claims: Q) -> list[Change]:
    versions = (
        _versions(Claim, claims)
        .filter(before__isnull=False)
        .exclude(before=F("status"))
        .order_by("-history_date", "-history_id")
    )[:LIMIT]
    label = dict(ClaimStatus.choices)
    return [
        Change(
            "status",
            f"{label.get(v.status, v.status)}: {v.statement}",
            f"The claim's status changed from {label.get(v.before, v.before)} to "
            f"{label.get(v.status, v.status)}. {v.status_reason}",
            reverse("claims:claim_detail", args=[v.slug]),
            v.history_date,
            f"claim-{v.id}-version-{v.history_id}",
        )
        for v in versions
    ]


def _accepted(evidence: Q) -> list[Change]:
    versions = (
        _versions(Evidence, evidence)
        .filter(status=Evidence.Status.ACCEPTED)
        .filter(Q(before__isnull=True) | ~Q(before=Evidence.Status.ACCEPTED))
        .order_by("-history_date", "-history_id")
    )[:LIMIT]
    versions = list(versions)
    # Only findings still accepted: a rejected one has no public page.
    live = set(
        Evidence.objects.accepted()
        .filter(pk__in=[v.id for v in versions])
        .values_list("pk", flat=True)
    )
    return [
        Change(
            "accepted",
            f"New finding: {v.finding[:120]}",
            f"Accepted ({v.get_stance_display().lower()}): {v.finding}",
            reverse("claims:evidence_permalink", args=[v.id]),
            v.history_date,
            f"evidence-{v.id}-version-{v.history_id}",
        )
        for v in versions
        if v.id in live
    ]


def _notices(papers: Q) -> list[Change]:
    changes = (
        PublicationChange.objects.filter(papers, field__in=NOTICES)
        .exclude(new_value__in=[None, False, []])
        .select_related("publication")
        .order_by("-changed_at", "-pk")
    )[:LIMIT]
    return [
        Change(
            "notice",
            f"Paper {NOTICES[c.field]}: {c.publication}",
            f"PubMed now lists PMID {c.publication.pmid} as {NOTICES[c.field]}.",
            reverse("claims:publication_detail", args=[c.publication.pmid]),
            c.changed_at,
            f"paper-{c.publication.pmid}-change-{c.pk}",
        )
        for c in changes
    ]


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "MSC evidence portal: what changed"
    subtitle = (
        "Claims whose status changed, findings accepted, and integrity notices "
        "on the papers."
    )

    def get_object(self, request):
        """The claim or topic the feed is narrowed to (?claim=, ?topic=)."""
        self.request = request
        claim, topic = request.GET.get("claim"), request.GET.get("topic")
        if claim:
            found = Claim.objects.filter(slug=claim).first()
            if found is None:
                raise Http404("No such claim.")
            return found
        if topic:
            found = Topic.objects.filter(slug=topic).first()
            if found is None:
                raise Http404("No such topic.")
            return found
        return None

    def link(self, obj):
        if isinstance(obj, Claim):
            return reverse("claims:claim_detail", args=[obj.slug])
        if isinstance(obj, Topic):
            return reverse("claims:topic_detail", args=[obj.slug])
        return reverse("claims:home")

    def feed_url(self, obj):
        return self.request.get_full_path()

    def items(self, obj):
        if isinstance(obj, Claim):
            claims, evidence = Q(id=obj.pk), Q(claim_id=obj.pk)
        elif isinstance(obj, Topic):
            claims, evidence = Q(topic_id=obj.pk), Q(claim__topic_id=obj.pk)
        else:
            claims = evidence = Q()
        cited = Evidence.objects.accepted().filter(evidence).values("publication_id")
        papers = Q(publication_id__in=cited) if obj is not None else Q()
        found = _status_changes(claims) + _accepted(evidence) + _notices(papers)
        return sorted(found, key=lambda c: (c.when, c.key), reverse=True)[:LIMIT]

    def item_title(self, item: Change) -> str:
        return item.title

    def item_description(self, item: Change) -> str:
        return item.description

    def item_link(self, item: Change) -> str:
        return item.link

    def item_guid(self, item: Change) -> str:
        return self.request.build_absolute_uri(f"{item.link}#{item.key}")

    def item_guid_is_permalink(self, item: Change) -> bool:
        return False

    def item_updateddate(self, item: Change) -> datetime.datetime:
        return item.when

    def item_pubdate(self, item: Change) -> datetime.datetime:
        return item.when

    def item_categories(self, item: Change) -> list[str]:
        return [item.kind]
