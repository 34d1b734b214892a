"""Pages a reference manager can save: what their readers find in the HTML.

Zotero's, Mendeley's and Paperpile's page readers (and Google Scholar) take a
journal article from Highwire Press citation_* meta tags, and follow the
page's rel="alternate" links to its citation files. The tests read the page
as such a reader does, with an HTML parser, never by matching its text.
"""

import datetime as dt
import json
import re
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from pyld import jsonld

from claims.models import Claim, Evidence, Publication, Topic
from tests.factories import EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


class HeadReader(HTMLParser):
    """The <meta name=...> and <link rel=alternate> of a page's head."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.alternates: list[dict[str, str]] = []
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "head":
            self._in_head = True
        elif self._in_head and tag == "meta" and "name" in attributes:
            self.meta.append((attributes["name"], attributes.get("content", "")))
        elif self._in_head and tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append(attributes)

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def read_head(response) -> HeadReader:
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


def citation_tags(reader: HeadReader) -> list[tuple[str, str]]:
    return [
        (name, value) for name, value in reader.meta if name.startswith("citation_")
    ]


@pytest.fixture
def paper():
    return PublicationFactory(
        pmid=16214129,
        title='Mesenchymal stem cells favor tumor growth "in vivo" & <elsewhere>.',
        authors=[
            {"last_name": "Zhu", "fore_name": "Wei", "initials": "W"},
            {"last_name": "Xu", "initials": "W"},
            {"collective_name": "MSC Study Group"},
        ],
        journal="Experimental and molecular pathology",
        journal_iso="Exp Mol Pathol",
        volume="80",
        issue="3",
        pages="267-74",
        pub_date="2006 Jun 5",
        year=2006,
        doi="10.1016/j.yexmp.2005.07.004",
    )


def test_a_papers_page_carries_its_highwire_citation_tags(client, paper):
    reader = read_head(client.get("/publications/16214129/"))

    assert citation_tags(reader) == [
        (
            "citation_title",
            'Mesenchymal stem cells favor tumor growth "in vivo" & <elsewhere>.',
        ),
        ("citation_author", "Zhu, Wei"),
        ("citation_author", "Xu, W"),
        ("citation_author", "MSC Study Group"),
        ("citation_journal_title", "Experimental and molecular pathology"),
        ("citation_journal_abbrev", "Exp Mol Pathol"),
        ("citation_publication_date", "2006/06/05"),
        ("citation_volume", "80"),
        ("citation_issue", "3"),
        ("citation_firstpage", "267"),
        ("citation_lastpage", "274"),
        ("citation_doi", "10.1016/j.yexmp.2005.07.004"),
        ("citation_pmid", "16214129"),
    ]


def test_a_paper_known_only_by_its_pmid_and_first_author_is_still_citable(client):
    PublicationFactory(
        pmid=1234,
        title="",
        first_author="Karnoub AE",
        authors=[],
        journal="",
        journal_iso="",
        volume="",
        issue="",
        pages="",
        pub_date="",
        year=None,
        doi="",
    )

    tags = dict(citation_tags(read_head(client.get("/publications/1234/"))))

    assert tags == {"citation_author": "Karnoub AE", "citation_pmid": "1234"}


def test_a_papers_page_links_its_citation_files_which_answer_in_their_formats(
    client, paper
):
    reader = read_head(client.get("/publications/16214129/"))
    formats = {link["type"]: link["href"] for link in reader.alternates}

    assert set(formats) == {
        "application/x-bibtex",
        "application/x-research-info-systems",
        "application/vnd.citationstyles.csl+json",
        "application/atom+xml",  # every page's: the feed of changes
    }
    bibtex = client.get(formats["application/x-bibtex"])
    ris = client.get(formats["application/x-research-info-systems"])
    csl = client.get(formats["application/vnd.citationstyles.csl+json"])
    assert bibtex.content.decode().startswith("@article{pmid16214129,")
    assert "AN  - 16214129" in ris.content.decode()
    assert csl.json()[0]["PMID"] == "16214129"


def test_the_cite_links_are_visible_on_the_page(client, paper):
    page = client.get("/publications/16214129/").content.decode()

    for name in ("BibTeX", "RIS", "CSL-JSON"):
        assert f">{name}</a>" in page


# -- robots.txt, the sitemap and the index pages ---------------------------------

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_robots_txt_lets_crawlers_read_pages_but_not_the_api_admin_or_search(
    client,
):
    response = client.get("/robots.txt")
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())

    assert response["Content-Type"].startswith("text/plain")
    assert robots.can_fetch("*", "http://testserver/claims/some-claim/")
    assert robots.can_fetch("*", "http://testserver/publications/16214129/")
    for path in ("/api/v1/claims/", "/admin/", "/search/?q=tumor"):
        assert not robots.can_fetch("*", f"http://testserver{path}")
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]


def test_the_sitemap_lists_every_claim_topic_and_paper_with_its_last_change(
    client, confirmed_review
):
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    listed = {}
    for url in sections:
        page = ElementTree.fromstring(client.get(urlsplit(url).path).content)
        for entry in page.findall("sm:url", SITEMAP_NS):
            lastmod = entry.find("sm:lastmod", SITEMAP_NS)
            listed[urlsplit(entry.find("sm:loc", SITEMAP_NS).text).path] = (
                lastmod.text if lastmod is not None else None
            )

    claim = Claim.objects.order_by("pk").first()
    assert listed[f"/claims/{claim.slug}/"] == claim.updated_at.date().isoformat()
    expected = (
        {f"/claims/{c.slug}/" for c in Claim.objects.all()}
        | {f"/topics/{t.slug}/" for t in Topic.objects.all()}
        | {f"/publications/{p.pmid}/" for p in Publication.objects.all()}
        | {"/", "/claims/", "/topics/", "/publications/", "/methods/"}
    )
    assert set(listed) == expected
    # One page of each kind answers (every page would trip the reader's limit).
    kinds = {path.split("/")[1] for path in listed}
    for kind in kinds:
        path = min(p for p in listed if p.split("/")[1] == kind)
        assert client.get(path).status_code == 200, path


def test_the_topics_page_lists_every_topic_with_its_claims(client, confirmed_review):
    page = client.get("/topics/").content.decode()

    for topic in Topic.objects.all():
        assert f'href="/topics/{topic.slug}/">{escape(topic.name)}</a>' in page
        n = topic.claims.count()
        assert f"{n} claim{'s' if n != 1 else ''}" in page


def test_the_papers_page_lists_every_paper_a_page_at_a_time(client):
    PublicationFactory.create_batch(51, year=2001)
    newest = PublicationFactory(pmid=99, title="The newest paper.", year=2020)
    EvidenceFactory(publication=newest)
    total = Publication.objects.count()  # with the review of the finding's claim

    first = client.get("/publications/").content.decode()
    second = client.get("/publications/?page=2").content.decode()

    listed = [re.findall(r'href="/publications/(\d+)/"', p) for p in (first, second)]
    assert f"{total} papers, newest first" in first
    assert listed[0][0] == "99"
    assert "1 accepted finding" in first
    assert "Page 1 of 2" in first
    assert len(listed[0]) == 50
    assert len(listed[1]) == total - 50
    assert {int(pmid) for page in listed for pmid in page} == set(
        Publication.objects.values_list("pmid", flat=True)
    )


# -- schema.org JSON-LD ----------------------------------------------------------

SCHEMA = "https://schema.org/"


def schema_org_loader(url, options=None):
    """schema.org's context, without the network: its terms are schema.org's
    vocabulary (the real context adds only type coercions)."""
    assert url.rstrip("/") == SCHEMA.rstrip("/"), url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA}},
    }


class LinkedDataReader(HTMLParser):
    """Every <script type="application/ld+json"> block of a page."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._reading = False

    def handle_starttag(self, tag, attrs):
        self._reading = tag == "script" and ("type", "application/ld+json") in attrs
        if self._reading:
            self.blocks.append("")

    def handle_data(self, data):
        if self._reading:
            self.blocks[-1] += data

    def handle_endtag(self, tag):
        self._reading = False


def expanded(response) -> dict:
    """The page's one JSON-LD block, expanded by a JSON-LD processor."""
    reader = LinkedDataReader()
    reader.feed(response.content.decode())
    assert len(reader.blocks) == 1
    (node,) = jsonld.expand(
        json.loads(reader.blocks[0]), {"documentLoader": schema_org_loader}
    )
    return node


def value(node: dict, term: str) -> list:
    return [v.get("@value", v.get("@id")) for v in node.get(SCHEMA + term, [])]


def test_a_papers_page_describes_it_as_a_scholarly_article(client, paper):
    paper.is_retracted = True
    paper.save()

    node = expanded(client.get("/publications/16214129/"))

    assert node["@type"] == [SCHEMA + "ScholarlyArticle"]
    assert node["@id"] == "http://testserver/publications/16214129/"
    assert value(node, "name") == [paper.title]
    assert value(node, "datePublished") == ["2006-06-05"]
    assert value(node, "creativeWorkStatus") == ["Retracted"]
    authors = node[SCHEMA + "author"]
    assert [value(a, "name") for a in authors] == [
        ["Wei Zhu"],
        ["W Xu"],
        ["MSC Study Group"],
    ]
    assert authors[2]["@type"] == [SCHEMA + "Organization"]
    ids = {
        value(i, "propertyID")[0]: value(i, "value")[0]
        for i in node[SCHEMA + "identifier"]
    }
    assert ids == {"PMID": "16214129", "DOI": "10.1016/j.yexmp.2005.07.004"}
    (issue,) = node[SCHEMA + "isPartOf"]
    (volume,) = issue[SCHEMA + "isPartOf"]
    (journal,) = volume[SCHEMA + "isPartOf"]
    assert issue["@type"] == [SCHEMA + "PublicationIssue"]
    assert value(issue, "issueNumber") == ["3"]
    assert value(volume, "volumeNumber") == ["80"]
    assert value(journal, "name") == ["Experimental and molecular pathology"]
    assert value(node, "sameAs") == [
        "https://pubmed.ncbi.nlm.nih.gov/16214129/",
        "https://doi.org/10.1016/j.yexmp.2005.07.004",
    ]


def test_a_claims_page_describes_it_as_a_claim_citing_its_papers(
    client, confirmed_review
):
    claim = Claim.objects.get(slug="msc-home-to-tumors")
    cited = set(claim.evidence.accepted().values_list("publication__pmid", flat=True))

    node = expanded(client.get(f"/claims/{claim.slug}/"))

    assert node["@type"] == [SCHEMA + "Claim"]
    assert value(node, "text") == [claim.statement]
    assert value(node, "description")[0].startswith(claim.get_status_display())
    assert {
        int(c["@id"].rstrip("/").rsplit("/", 1)[1]) for c in node[SCHEMA + "citation"]
    } == cited


def test_the_home_page_describes_the_portal_as_a_dataset_based_on_its_review(
    client, confirmed_review
):
    node = expanded(client.get("/"))

    assert node["@type"] == [SCHEMA + "Dataset"]
    (based_on,) = node[SCHEMA + "isBasedOn"]
    assert based_on["@id"] == "http://testserver/publications/20411303/"
    (download,) = node[SCHEMA + "distribution"]
    assert value(download, "encodingFormat") == ["text/csv"]


def test_a_title_cannot_end_the_linked_data_block(client, paper):
    paper.title = "</script><script>alert(1)</script> & <!-- more"
    paper.save()

    node = expanded(client.get("/publications/16214129/"))

    assert value(node, "name") == [paper.title]


# -- cite this claim, last updated, permalinks -----------------------------------


def test_a_claims_page_says_how_to_cite_it_and_when_it_last_changed(
    client, confirmed_review
):
    claim = Claim.objects.get(slug="msc-home-to-tumors")

    page = client.get(f"/claims/{claim.slug}/").content.decode()

    citation = re.search(r'<p class="citation" id="claim-citation">(.*?)</p>', page)
    assert citation
    text = unescape(citation.group(1))
    assert f"“{claim.statement}”" in text
    assert claim.get_status_display() in text
    assert f"status rules v{claim.status_rules_version}" in text
    last = max(
        [
            claim.updated_at,
            *claim.evidence.accepted().values_list("updated_at", flat=True),
        ]
    )
    assert f"Last updated {last:%-d %B %Y}" in text
    assert text.endswith(f"http://testserver/claims/{claim.slug}/")
    assert f'datetime="{last.isoformat()}"' in page


def test_a_claim_was_last_updated_when_one_of_its_accepted_records_was(
    client, confirmed_review
):
    claim = Claim.objects.get(slug="msc-home-to-tumors")
    later = claim.updated_at + dt.timedelta(days=40)
    record = claim.evidence.accepted().first()
    # A record edited later than the claim (QuerySet.update sets no timestamp).
    Evidence.objects.filter(pk=record.pk).update(updated_at=later)
    draft = claim.evidence.exclude(status="accepted").first()
    if draft is not None:
        Evidence.objects.filter(pk=draft.pk).update(updated_at=later + dt.timedelta(1))
    cache.clear()

    page = client.get(f"/claims/{claim.slug}/").content.decode()
    sitemap = client.get("/sitemap-claims.xml").content.decode()

    assert f'datetime="{later.isoformat()}"' in page
    assert f"Last updated {later:%-d %B %Y}" in unescape(page)
    assert (
        f"<loc>http://testserver/claims/{claim.slug}/</loc>"
        f"<lastmod>{later.date().isoformat()}</lastmod>"
    ) in sitemap.replace("\n", "").replace(" ", "")


def test_every_finding_has_a_permalink_to_its_place_on_its_claims_page(
    client, confirmed_review
):
    record = Evidence.objects.accepted().select_related("claim").first()
    page = client.get(f"/claims/{record.claim.slug}/").content.decode()

    response = client.get(f"/evidence/{record.pk}/")

    assert f'id="evidence-{record.pk}"' in page
    assert f'href="/evidence/{record.pk}/"' in page
    assert response.status_code == 302
    assert response["Location"] == f"/claims/{record.claim.slug}/#evidence-{record.pk}"


def test_a_finding_not_accepted_has_no_public_permalink(client, confirmed_review):
    draft = EvidenceFactory(status=Evidence.Status.DRAFT)

    assert client.get(f"/evidence/{draft.pk}/").status_code == 404
    assert client.get("/evidence/999999999/").status_code == 404


def test_a_paper_pubmed_has_not_filled_in_is_cited_by_its_checked_title(client):
    PublicationFactory(pmid=555, title="", curated_title="The checked title.")

    response = client.get("/publications/555/")
    tags = dict(citation_tags(read_head(response)))

    assert tags["citation_title"] == "The checked title."
    assert value(expanded(response), "name") == ["The checked title."]


def test_a_method_no_page_caches_still_gets_no_error(client, confirmed_review):
    # OPTIONS passes the page cache by, which keeps the data version for GETs.
    assert client.options("/").status_code == 200


def test_a_changed_representation_changes_every_etag(client, settings, monkeypatch):
    from claims import freshness

    before = client.get("/topics/")["ETag"]
    monkeypatch.setattr(freshness, "REPRESENTATION_VERSION", "next")

    assert client.get("/topics/")["ETag"] != before
