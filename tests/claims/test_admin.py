import pytest
from django.urls import reverse

from claims.models import Claim, Evidence, Publication, RefreshRun, Topic
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db

MODELS = [Publication, Topic, Claim, Evidence]


@pytest.fixture
def evidence():
    return EvidenceFactory(publication__pmid=16214129, publication__title="Zhu paper")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_form_render_for_a_superuser(
    admin_client, evidence, model
):
    obj = model.objects.first()
    meta = model._meta

    changelist = admin_client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    )
    change = admin_client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    )

    assert changelist.status_code == 200
    assert change.status_code == 200


def test_publication_search_finds_a_paper_by_pmid(admin_client, evidence):
    response = admin_client.get(
        reverse("admin:claims_publication_changelist"), {"q": "16214129"}
    )

    assert response.context["cl"].result_count == 1


def test_evidence_filters_by_stance(admin_client, evidence):
    EvidenceFactory(claim=evidence.claim, stance=Evidence.Stance.REFUTES)

    response = admin_client.get(
        reverse("admin:claims_evidence_changelist"), {"stance": "refutes"}
    )

    assert response.context["cl"].result_count == 1


def test_claim_page_shows_its_evidence_inline(admin_client, evidence):
    response = admin_client.get(
        reverse("admin:claims_claim_change", args=[evidence.claim.pk])
    )

    assert b"Zhu paper" in response.content or b"16214129" in response.content
    assert reverse("admin:claims_evidence_change", args=[evidence.pk]) in (
        response.content.decode()
    )


def test_publication_autocomplete_answers(admin_client, evidence):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "1621",
            "app_label": "claims",
            "model_name": "evidence",
            "field_name": "publication",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == str(evidence.publication.pk)


def test_anonymous_users_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:claims_claim_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_publication_added_in_the_admin_by_pmid_alone_is_fetched_after_commit(
    admin_client, fake_eutils, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:claims_publication_add"),
            {
                "pmid": "16214129",
                "verification": "verified",
                "metadata_state": "pending",
                **dict.fromkeys(
                    (
                        "authors",
                        "abstract_sections",
                        "mesh_terms",
                        "publication_types",
                        "erratum_pmids",
                        "expression_of_concern_pmids",
                    ),
                    "[]",
                ),
            },
        )

    assert response.status_code == 302
    pub = Publication.objects.get(pmid=16214129)
    assert pub.metadata_state == "current"
    assert pub.journal_iso == "Exp Mol Pathol"


def test_the_refresh_action_queues_the_selected_papers(
    admin_client, evidence, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("admin:claims_publication_changelist"),
            {
                "action": "refresh_from_pubmed",
                "_selected_action": [evidence.publication.pk],
            },
        )

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert RefreshRun.objects.get().requested == 1


def test_refresh_runs_are_browsable_with_their_changes(admin_client):
    run = RefreshRun.objects.create(trigger="command", requested=3, changed=1)

    listing = admin_client.get(reverse("admin:claims_refreshrun_changelist"))
    detail = admin_client.get(reverse("admin:claims_refreshrun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert b"Command line" in listing.content
