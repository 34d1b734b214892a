import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from claims.models import Claim, Evidence, Publication, RefreshRun, Review, Topic
from tests.factories import EvidenceFactory, ReviewFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def production_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return env | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }


def test_production_settings_pass_check_deploy_with_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_pages_carry_the_security_headers(client):
    response = client.get("/admin/login/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_production_sends_hsts(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False

    response = Client().get("/methods/", secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_admin_forms_refuse_a_post_without_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403


def test_a_login_posted_without_next_lands_on_the_admin_not_a_404(client):
    UserFactory(username="curator", is_staff=True)

    response = client.post(
        reverse("admin:login"),
        {"username": "curator", "password": "correct horse battery staple"},
        follow=True,
    )

    assert response.redirect_chain[0] == ("/admin/", 302)
    assert response.status_code == 200


def test_repeated_failed_admin_logins_lock_the_account_out(client, settings):
    UserFactory(username="curator", is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "curator", "password": "wrong"})

    locked = client.post(
        url, {"username": "curator", "password": "correct horse battery staple"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


# -- CSRF on the admin's forms -------------------------------------------------------


@pytest.fixture
def staff_without_csrf():
    """A logged-in editor whose browser was made to post from another site."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("editor", password="x"))
    return client


def test_admin_change_forms_and_actions_refuse_a_post_without_the_csrf_token(
    staff_without_csrf,
):
    evidence = EvidenceFactory(status=Evidence.Status.DRAFT)
    claim = evidence.claim
    posts = [
        (
            reverse("admin:claims_claim_change", args=[claim.pk]),
            {"statement": "Changed by another site.", "topic": claim.topic.pk},
        ),
        (
            reverse("admin:claims_evidence_changelist"),
            {"action": "submit_selected", "_selected_action": [evidence.pk]},
        ),
        (
            reverse("admin:claims_evidence_moderate", args=[evidence.pk, "submit"]),
            {},
        ),
        (reverse("admin:claims_publication_paste"), {"pmids": "17914389"}),
        (reverse("admin:claims_claim_delete", args=[claim.pk]), {"post": "yes"}),
    ]

    for url, data in posts:
        assert staff_without_csrf.post(url, data).status_code == 403, url

    claim.refresh_from_db()
    evidence.refresh_from_db()
    assert claim.statement != "Changed by another site."
    assert evidence.status == Evidence.Status.DRAFT
    assert not Publication.objects.filter(pmid=17914389).exists()


# -- every write of the API, found from the URL resolver -----------------------------

UNSAFE = ("post", "put", "patch", "delete")


def api_routes(patterns=None, prefix: str = "") -> list[tuple[str, str | None]]:
    """Every URL pattern under /api/, as (path template, URL name)."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            found += api_routes(pattern.url_patterns, text)
        elif text.startswith("api/"):
            template = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", text)
            template = template.replace(".*", "no-such-endpoint/")
            found.append(("/" + template, pattern.name))
    return found


def documented_writes() -> set[tuple[str, str]]:
    """The writes the OpenAPI schema documents, as (method, path template)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method, re.sub(r"\{\w+\}", "{}", path))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in UNSAFE
    }


def test_the_write_tests_cover_every_write_the_schema_documents():
    from tests.api.test_writes import WRITES

    covered = {(method, re.sub(r"\{\w+\}", "{}", url)) for method, url, _ in WRITES}

    assert documented_writes() == covered
    resolvable = {template for template, _name in api_routes()}
    assert {path for _method, path in covered} <= resolvable


def test_every_unsafe_method_of_every_api_route_refuses_anonymous_users():
    evidence = EvidenceFactory(status=Evidence.Status.SUBMITTED)
    review = ReviewFactory(publication=evidence.publication)
    samples = {
        "review": review.slug,
        "topic": evidence.claim.topic.slug,
        "claim": evidence.claim.slug,
        "evidence": evidence.pk,
        "publication": evidence.publication.pmid,
    }
    bodies = {
        "evidence-list": {"claim": evidence.claim.slug, "stance": "refutes"},
        "publication-list": {"pmid": 17914389},
        "evidence-detail": {"rating": 1},
        "evidence-accept": {"reason": "Looks fine"},
        "evidence-reject": {"reason": "Not at all"},
    }
    documented = documented_writes()
    before = database_state()
    routes = api_routes()
    assert len(routes) >= 15

    for template, name in routes:
        url = template.format(samples.get((name or "").split("-")[0], "x"))
        for method in UNSAFE:
            response = getattr(APIClient(), method)(
                url, bodies.get(name, {}), format="json"
            )
            where = f"{method.upper()} {url}"
            if (method, template) in documented:
                assert response.status_code == 401, where
                challenge = response["WWW-Authenticate"]
                assert challenge == 'Bearer realm="api", Token realm="api"', where
            else:
                assert response.status_code in (401, 404, 405), where

    assert database_state() == before


def database_state() -> tuple:
    return (
        list(Evidence.objects.values_list("pk", "status", "rating", "updated_at")),
        list(Publication.objects.values_list("pmid", "updated_at")),
        list(Claim.objects.values_list("pk", "updated_at")),
        list(Review.objects.values_list("pk")),
        list(Topic.objects.values_list("pk")),
        RefreshRun.objects.count(),
    )
