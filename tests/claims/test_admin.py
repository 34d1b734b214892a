import pytest
from django.urls import reverse

from claims.models import Claim, Evidence, Publication, Topic
from claims.status_rules import ClaimStatus
from tests.factories import ClaimFactory, EvidenceFactory

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
    assert "evidence-0-stance" in response.content.decode()


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


def test_saving_evidence_in_the_admin_recomputes_the_claim_status(admin_client):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claim=claim, status=Evidence.Status.DRAFT)
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {
        "claim": claim.pk,
        "publication": evidence.publication.pk,
        "status": "accepted",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPPORTED


def test_anonymous_users_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:claims_claim_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
