"""A paper's PMID never changes; an editor corrects a wrong one in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import curation
from claims.models import Evidence, Publication, RefreshRun
from tests.claims.test_admin_curation import login
from tests.factories import EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_a_saved_paper_refuses_another_pmid():
    paper = Publication.objects.get(pk=PublicationFactory(pmid=111).pk)
    paper.pmid = 222

    with pytest.raises(ValidationError, match="never changes"):
        paper.save()

    assert Publication.objects.get(pk=paper.pk).pmid == 111


def correct(client, paper, pmid):
    url = reverse("admin:claims_publication_correct_pmid", args=[paper.pk])
    return client.post(url, {"pmid": pmid})


def test_an_editor_corrects_a_pmid_and_the_evidence_moves_for_rereview(
    client, django_capture_on_commit_callbacks
):
    editor = login(client, curation.EDITOR_GROUP)
    wrong = PublicationFactory(pmid=111)
    records = [
        EvidenceFactory(publication=wrong, stance=stance)
        for stance in ("supports", "refutes")
    ]
    changelist = reverse("admin:claims_publication_changelist")
    chosen = client.post(
        changelist, {"action": "correct_pmid", "_selected_action": [wrong.pk]}
    )
    assert chosen["Location"].endswith(f"/{wrong.pk}/correct-pmid/")
    assert client.get(chosen["Location"]).status_code == 200

    with django_capture_on_commit_callbacks() as queued:
        response = correct(client, wrong, 222)

    right = Publication.objects.get(pmid=222)
    assert response.status_code == 302
    assert len(queued) == 1  # the new paper's fetch
    assert RefreshRun.objects.get().requested == 1
    assert Publication.objects.filter(pmid=111).exists()
    for record in records:
        record = Evidence.objects.get(pk=record.pk)
        assert record.publication == right
        assert record.needs_rereview
        assert record.rereview_reason == "PMID corrected from 111 to 222"
        latest = record.history.first()
        assert latest.history_change_reason == "PMID corrected from 111 to 222"
        assert latest.history_user == editor
        assert record.history.as_of(latest.history_date).publication == right
        assert record.history.last().publication_id == wrong.pk


def test_a_curator_cannot_correct_a_pmid(client):
    login(client, curation.CURATOR_GROUP)
    wrong = PublicationFactory(pmid=111)
    EvidenceFactory(publication=wrong)

    response = correct(client, wrong, 222)

    assert response.status_code == 403
    assert not Publication.objects.filter(pmid=222).exists()
    assert Evidence.objects.get().publication == wrong
