"""Markup in curator text and PubMed records stays text, wherever it is shown.

Curators type claims and findings; PubMed sends titles and abstracts. Either may
hold `<script>` or an `<img onerror>`: the pages, the admin and every export must
show it as text and never let it run, break a record, or start a formula.
"""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Evidence, PublicationChange, RefreshRun
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    ReviewFactory,
    TermFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f'Bold "claim" {SCRIPT} & {IMG}'
# What must never reach a page unescaped, and what shows it was escaped.
RAW = ("<script>alert", "<img src=x")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PMID = 16214129


def hostile(label: str) -> str:
    return f"{label} {HOSTILE}"


@pytest.fixture
def evidence() -> Evidence:
    """Every text a curator or PubMed writes, carrying markup."""
    paper = PublicationFactory(
        pmid=PMID,
        title=hostile("Title"),
        curated_title=hostile("Checked title"),
        first_author=hostile("Author"),
        authors=[{"last_name": hostile("Last"), "initials": "AB", "orcid": IMG}],
        journal=hostile("Journal"),
        journal_iso=hostile("J"),
        abstract=hostile("Abstract"),
        abstract_sections=[{"label": hostile("Label"), "text": hostile("Text")}],
        mesh_terms=[hostile("Mesh")],
        publication_types=[hostile("Type")],
        volume=IMG,
        pages=SCRIPT,
        doi=f"10.1000/{SCRIPT}",
        needs_review=True,
        review_note=hostile("Note"),
        last_error=hostile("Error"),
        metadata_state="current",
    )
    review = ReviewFactory(publication=paper, summary=hostile("Summary"))
    topic = TopicFactory(
        review=review, name=hostile("Topic"), description=hostile("About")
    )
    claim = ClaimFactory(
        topic=topic,
        slug="hostile-claim",
        statement=hostile("Statement"),
        status="contested",
        status_reason=hostile("Reason"),
    )
    claim.statement = hostile("Statement, edited")
    claim._change_reason = hostile("Why")
    claim.save()  # a second version: the history shows the change
    run = RefreshRun.objects.create(trigger="command", errors=[hostile("Run error")])
    PublicationChange.objects.create(
        run=run, publication=paper, field="title", old_value=SCRIPT, new_value=IMG
    )
    return EvidenceFactory(
        claim=claim,
        publication=paper,
        finding=hostile("Finding"),
        quote=hostile("Quote"),
        cancer_types=[TermFactory(slug="hostile", label=hostile("cancer"))],
        msc_tumor_ratio=IMG,
        review_reason=hostile("Review reason"),
        rereview_reason=hostile("Rereview"),
    )


def assert_escaped(response, *, shown: bool = True) -> None:
    html = response.content.decode()
    assert response.status_code == 200, response.request["PATH_INFO"]
    assert response["Content-Type"].startswith("text/html")
    for raw in RAW:
        assert raw not in html, response.request["PATH_INFO"]
    if shown:
        assert ESCAPED in html, response.request["PATH_INFO"]


def pages(evidence: Evidence) -> list[tuple[str, dict]]:
    return [
        ("/", {}),
        ("/claims/", {}),
        ("/claims/", {"q": "Statement", "cancer_type": "hostile"}),
        (f"/claims/{evidence.claim.slug}/", {}),
        (f"/publications/{PMID}/", {}),
        (f"/topics/{evidence.claim.topic.slug}/", {}),
        ("/search/", {"q": "Finding"}),
    ]


def test_every_page_shows_markup_as_text(client, evidence):
    for url, params in pages(evidence):
        assert_escaped(client.get(url, params))
    assert_escaped(client.get("/methods/"), shown=False)


@pytest.mark.parametrize("url", ["/search/", "/claims/"])
def test_a_query_echoed_on_a_page_is_escaped(client, url):
    response = client.get(url, {"q": SCRIPT})

    assert_escaped(response)


def test_an_unknown_address_does_not_echo_markup(client):
    response = client.get(f"/claims/x/{SCRIPT}/")

    assert response.status_code == 404
    assert "<script>alert" not in response.content.decode()


# -- the admin ---------------------------------------------------------------------


@pytest.fixture
def admin(client):
    client.force_login(User.objects.create_superuser("admin", password="x"))
    return client


def admin_urls(evidence: Evidence) -> list[str]:
    claim, paper = evidence.claim, evidence.publication
    history_id = claim.history.earliest().history_id
    urls = [
        reverse("admin:claims_claim_simple_history", args=[claim.pk, history_id]),
        reverse("admin:claims_evidence_moderate", args=[evidence.pk, "reject"]),
        reverse("admin:claims_refreshrun_change", args=[RefreshRun.objects.get().pk]),
        reverse("admin:claims_topic_changelist"),
        reverse("admin:claims_review_changelist"),
    ]
    for name, obj in (("claim", claim), ("evidence", evidence), ("publication", paper)):
        urls += [
            reverse(f"admin:claims_{name}_changelist"),
            reverse(f"admin:claims_{name}_changelist") + f"?q={SCRIPT}",
            reverse(f"admin:claims_{name}_change", args=[obj.pk]),
            reverse(f"admin:claims_{name}_history", args=[obj.pk]),
        ]
    return urls


def test_the_admin_shows_markup_as_text(admin, evidence):
    for url in admin_urls(evidence):
        assert_escaped(admin.get(url))
    assert_escaped(
        admin.get(reverse("admin:claims_refreshrun_changelist")), shown=False
    )


def test_pasted_pmids_that_are_markup_are_reported_as_text(admin):
    response = admin.post(
        reverse("admin:claims_publication_paste"), {"pmids": SCRIPT}, follow=True
    )

    assert_escaped(response)


# -- the API -----------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/",
        "/api/v1/claims/hostile-claim/",
        "/api/v1/evidence/",
        "/api/v1/publications/",
        f"/api/v1/publications/{PMID}/",
        "/api/v1/topics/",
        "/api/v1/reviews/",
    ],
)
def test_the_api_returns_markup_as_json_data(api, evidence, url):
    response = api.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert any(HOSTILE in text for text in strings(response.json()))


def strings(data) -> list[str]:
    """Every string value in a JSON document."""
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return [data] if isinstance(data, str) else []


def test_the_api_echoes_a_bad_value_as_json_data(api):
    response = api.get("/api/v1/claims/", {"status": SCRIPT})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert SCRIPT in response.json()["error"]["fields"]["status"][0]


@pytest.mark.parametrize("url", ["/api/v1/claims/", f"/api/v1/publications/{PMID}/"])
def test_the_api_has_no_browsable_html_renderer(api, evidence, url):
    by_format = api.get(url, {"format": "api"})
    by_accept = api.get(url, HTTP_ACCEPT="text/html")

    assert by_format.status_code == 400
    assert by_format["Content-Type"] == "application/json"
    assert by_accept.status_code == 406
    assert by_accept["Content-Type"] == "application/json"


# -- exports -----------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_cells_that_could_start_a_formula_are_neutralised(api):
    for i, text in enumerate(FORMULAS):
        EvidenceFactory(
            claim=ClaimFactory(statement=text, slug=f"formula-{i}"),
            finding=text,
            cancer_types=[TermFactory(slug=f"formula-{i}", label=text)],
            publication=PublicationFactory(title=text, journal=text),
        )

    cells = []
    for url in ("/api/v1/evidence/", "/api/v1/claims/", "/api/v1/publications/"):
        response = api.get(url, {"format": "csv"})
        body = b"".join(response.streaming_content).decode()
        cells += [cell for row in csv.reader(io.StringIO(body)) for cell in row]

    assert len([c for c in cells if c.lstrip("'") in FORMULAS]) == 5 * len(FORMULAS)
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c[:1] == "-" and not _is_number(c)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_csv_leaves_plain_text_alone(api):
    EvidenceFactory(finding="MSC - a mixed picture", cancer_types=["glioma"])

    response = api.get("/api/v1/evidence/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))

    assert rows[0]["finding"] == "MSC - a mixed picture"
    assert rows[0]["cancer_types"] == "glioma"


BREAKOUT = (
    "Title}, author = {Mallory},\n}\n@misc{evil, title = {x\r\n"
    "ER  - \r\nTY  - JOUR\r\nTI  - Injected\r\n" + SCRIPT
)


@pytest.fixture
def breakout_paper():
    return PublicationFactory(
        pmid=PMID,
        title=BREAKOUT,
        journal=BREAKOUT,
        abstract=BREAKOUT,
        authors=[
            {"last_name": BREAKOUT, "initials": "A"},
            {"collective_name": BREAKOUT},
        ],
        pages="1-2}\n@misc{x,",
        doi="10.1/x}\n@misc{y,",
    )


def test_a_title_cannot_break_out_of_its_bibtex_entry(api, breakout_paper):
    PublicationFactory(pmid=PMID + 1, title="A second paper")

    response = api.get("/api/v1/publications/", {"format": "bibtex"})
    text = b"".join(response.streaming_content).decode()

    entries = [line for line in text.splitlines() if line.startswith("@")]
    assert entries == [f"@article{{pmid{PMID},", f"@article{{pmid{PMID + 1},"]
    depth = 0
    for char in text.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert all(
        line.startswith(("@", "  ", "}")) or not line for line in text.splitlines()
    )


def test_a_title_cannot_break_out_of_its_ris_record(api, breakout_paper):
    PublicationFactory(pmid=PMID + 1, title="A second paper")

    response = api.get("/api/v1/publications/", {"format": "ris"})
    text = b"".join(response.streaming_content).decode()
    lines = [line for line in text.split("\r\n") if line]

    assert [line for line in lines if line.startswith("TY  -")] == ["TY  - JOUR"] * 2
    assert [line for line in lines if line.startswith("ER  -")] == ["ER  - "] * 2
    assert all(line[:2].isalnum() and line[2:6] == "  - " for line in lines)
    assert "\n" not in text.replace("\r\n", "")
    assert len([line for line in lines if line.startswith("TI  -")]) == 2
