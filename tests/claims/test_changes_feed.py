"""/feeds/changes.atom, read by a feed reader (feedparser): status changes,
findings accepted and integrity notices, newest first, for the whole portal,
a topic or one claim."""

import feedparser
import pytest

from claims import curation
from claims.models import Claim, Evidence, PublicationChange
from claims.services import claims_recompute_status
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def read(client, url="/feeds/changes.atom"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.fixture
def changes():
    """A claim whose status changes as a finding is accepted, another claim,
    and a paper a refresh found retracted."""
    claim = ClaimFactory(slug="watched", statement="MSC feed tumors.")
    other = ClaimFactory(slug="elsewhere", statement="MSC starve tumors.")
    paper = PublicationFactory(pmid=16214129)
    curator = UserFactory(username="curator", groups=["Curator"])
    editor = UserFactory(username="editor", groups=["Editor"])
    claims_recompute_status()
    before = Claim.objects.get(pk=claim.pk).status
    for _ in range(3):
        draft = curation.evidence_create(
            by=curator,
            claim=claim,
            publication=PublicationFactory(),
            stance="supports",
            effect="pro_tumor",
            level="animal",
            delivery="co_injection",
            finding="Co-injected MSC enlarged the tumors.",
            rating=4,
        )
        curation.evidence_submit(evidence=draft, by=curator)
        curation.evidence_accept(evidence=draft, by=editor)
    EvidenceFactory(claim=other, publication=paper, status="accepted")
    PublicationChange.objects.create(
        publication=paper, field="is_retracted", old_value=False, new_value=True
    )
    claim.refresh_from_db()
    assert claim.status != before
    return claim, other, paper


def test_the_feed_lists_status_changes_accepted_findings_and_notices(client, changes):
    claim, _, paper = changes

    feed = read(client)
    kinds = [entry.tags[0].term for entry in feed.entries]
    links = [entry.link for entry in feed.entries]

    assert {"status", "accepted", "notice"} <= set(kinds)
    assert f"http://testserver/claims/{claim.slug}/" in links
    assert f"http://testserver/publications/{paper.pmid}/" in links
    accepted = [e for e in feed.entries if e.tags[0].term == "accepted"]
    ids = Evidence.objects.filter(claim=claim).values_list("pk", flat=True)
    assert {f"http://testserver/evidence/{pk}/" for pk in ids} <= {
        e.link for e in accepted
    }
    times = [entry.updated_parsed for entry in feed.entries]
    assert times == sorted(times, reverse=True)
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


def test_a_claims_feed_has_only_its_own_changes_and_its_page_links_it(client, changes):
    claim, other, paper = changes

    feed = read(client, f"/feeds/changes.atom?claim={claim.slug}")
    page = client.get(f"/claims/{claim.slug}/").content.decode()

    links = {entry.link for entry in feed.entries}
    assert f"http://testserver/claims/{claim.slug}/" in links
    assert f"http://testserver/publications/{paper.pmid}/" not in links
    assert not any(f"/claims/{other.slug}/" in link for link in links)
    assert f'href="/feeds/changes.atom?claim={claim.slug}"' in page


def test_a_topics_feed_has_the_notices_of_the_papers_its_claims_cite(client, changes):
    _, other, paper = changes

    feed = read(client, f"/feeds/changes.atom?topic={other.topic.slug}")

    assert f"http://testserver/publications/{paper.pmid}/" in {
        entry.link for entry in feed.entries
    }


def test_an_unknown_claim_or_topic_is_a_404(client):
    assert client.get("/feeds/changes.atom?claim=nope").status_code == 404
    assert client.get("/feeds/changes.atom?topic=nope").status_code == 404


def test_an_empty_portal_has_an_empty_valid_feed(client):
    assert read(client).entries == []
