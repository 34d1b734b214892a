"""An API key works under the scheme a generated client sends (Bearer) as under
"Token", a bad one is a 401 under either, and the schema says both, and that
reads need none."""

import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Evidence
from tests.api.test_writes import payload
from tests.factories import ClaimFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    ClaimFactory(slug="msc-promote-growth")
    PublicationFactory(pmid=16214129, abstract="MSC enlarged the tumors.")


def sending(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_a_key_writes_under_either_scheme(records, curator, scheme):
    key = Token.objects.create(user=curator).key

    response = sending(f"{scheme} {key}").post(
        "/api/v1/evidence/", payload(), format="json"
    )

    assert response.status_code == 201, response.json()
    assert Evidence.objects.get(pk=response.json()["id"]).created_by == curator


@pytest.mark.parametrize(
    "header", ["Bearer not-a-key", "Token not-a-key", "Bearer", "Bearer a b"]
)
def test_a_bad_key_is_a_401_under_either_scheme_even_for_a_read(header):
    response = sending(header).get("/api/v1/claims/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_another_scheme_is_not_ours_and_reads_stay_anonymous():
    # A proxy's own Basic credentials, say: the portal does not read them.
    response = sending("Basic dXNlcjpwYXNz").get("/api/v1/claims/")

    assert response.status_code == 200


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/schema/").content)


def test_the_schema_declares_the_bearer_and_token_schemes(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The API key as `Authorization: Bearer <key>`.",
    }
    assert schemes["tokenAuth"]["type"] == "apiKey"
    assert schemes["tokenAuth"]["name"] == "Authorization"


def test_the_schema_says_reads_need_no_credentials_and_writes_do(schema):
    operations = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    ]

    for method, path, operation in operations:
        security = operation.get("security", [])
        assert {"bearerAuth": []} in security, (method, path)
        if method == "get":
            assert {} in security, (method, path)
        else:
            assert {} not in security, (method, path)
