"""The evidence form's duplicate links and History pages a curator can read."""

import html
import re

import pytest
from django.urls import reverse

from claims import curation
from claims.models import Evidence
from tests.claims.test_admin_curation import add_evidence, login, paper
from tests.factories import ClaimFactory, EvidenceFactory, UserFactory

pytestmark = pytest.mark.django_db
__all__ = ["paper"]  # the fixture, shared


def changes(response) -> str:
    """The History table's text, without its markup."""
    table = re.search(r'<table id="change-history".*?</table>', response.text, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", table.group()))
    return re.sub(r"\s+", " ", text)


def test_the_evidence_form_links_its_possible_duplicates(client, paper):
    login(client, curation.EDITOR_GROUP)
    first = EvidenceFactory(publication=paper)
    twin = EvidenceFactory(
        publication=paper, claim=first.claim, effect=Evidence.Effect.MIXED
    )

    form = client.get(reverse("admin:claims_evidence_change", args=[first.pk]))

    link = reverse("admin:claims_evidence_change", args=[twin.pk])
    assert f'Possible duplicates: <a href="{link}">#{twin.pk}</a>' in form.text
    assert "&lt;a" not in form.text


def test_the_reason_typed_when_adding_evidence_is_kept_in_its_history(client, paper):
    login(client, curation.CURATOR_GROUP)

    add_evidence(client, ClaimFactory(), paper, change_reason="From Table 2")

    created = Evidence.objects.get().history.earliest()
    assert created.history_change_reason == "From Table 2"


def test_history_names_users_and_shows_choice_labels(client, paper):
    curator = UserFactory(
        username="ana", first_name="Ana", last_name="Lima", groups=["Curator"]
    )
    editor = login(client, curation.EDITOR_GROUP, username="bo")
    evidence = curation.evidence_create(
        by=curator,
        claim=ClaimFactory(),
        publication=paper,
        stance="supports",
        effect="pro_tumor",
        level="animal",
        rating=3,
        finding="Grew.",
    )
    curation.evidence_submit(evidence=evidence, by=curator)
    curation.evidence_update(evidence=evidence, by=editor, effect="anti_tumor")

    text = changes(
        client.get(reverse("admin:claims_evidence_history", args=[evidence.pk]))
    )

    assert "Deleted user" not in text
    assert "pk=None" not in text
    assert "Submitted by: — → Ana Lima" in text
    assert "Pro-tumor → Anti-tumor" in text
    assert "pro_tumor" not in text
