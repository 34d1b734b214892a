import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

LISTS = ("reviews", "topics", "claims", "evidence", "publications")
OPERATIONS = {
    ("get", "/api/v1/reviews/"),
    ("get", "/api/v1/reviews/{slug}/"),
    ("get", "/api/v1/topics/"),
    ("get", "/api/v1/topics/{slug}/"),
    ("get", "/api/v1/claims/"),
    ("get", "/api/v1/claims/{slug}/"),
    ("get", "/api/v1/claims/evidence/"),
    ("get", "/api/v1/evidence/"),
    ("post", "/api/v1/evidence/"),
    ("get", "/api/v1/evidence/{id}/"),
    ("patch", "/api/v1/evidence/{id}/"),
    ("post", "/api/v1/evidence/{id}/submit/"),
    ("post", "/api/v1/evidence/{id}/accept/"),
    ("post", "/api/v1/evidence/{id}/reject/"),
    ("get", "/api/v1/publications/"),
    ("post", "/api/v1/publications/"),
    ("get", "/api/v1/publications/{pmid}/"),
    ("get", "/api/v1/info"),
    # Each list's exports, each an operation of its own (a generated client
    # reads it as a file).
    *(("get", f"/api/v1/{name}/export.csv") for name in LISTS),
    ("get", "/api/v1/publications/export.bib"),
    ("get", "/api/v1/publications/export.ris"),
    ("get", "/api/v1/publications/export.json"),
}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_passes_drf_spectaculars_validation_without_warnings(tmp_path):
    call_command(
        "spectacular",
        validate=True,
        fail_on_warn=True,
        file=str(tmp_path / "schema.yaml"),
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_the_schema_documents_every_operation_and_nothing_else(schema):
    documented = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method not in ("parameters",)
    }

    assert documented == OPERATIONS


def test_every_operation_documents_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code in ("400", "401", "404", "429"):
                content = responses[code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}
            if method != "get":
                assert "403" in responses, (method, path)


def test_every_list_documents_its_formats_and_filters(schema):
    claims = schema["paths"]["/api/v1/claims/"]["get"]
    names = {parameter["name"] for parameter in claims["parameters"]}
    publications = schema["paths"]["/api/v1/publications/"]["get"]

    assert {"q", "status", "stance", "has_conflict", "year_min", "ordering"} <= names
    assert {"format", "page", "page_size"} <= names
    assert set(claims["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
    }
    assert set(publications["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/x-research-info-systems",
        "application/x-bibtex",
        "application/vnd.citationstyles.csl+json",
    }


def test_the_schema_declares_token_and_session_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["tokenAuth"]["in"] == "header"
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_the_docs_page_loads_everything_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert response.status_code == 200
    assert len(urls) >= 3
    for url in urls:
        if url == "/api/docs/?script=":  # Swagger UI's start-up script (CSP)
            continue
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), url
    assert "<style" not in html
    assert re.findall(r"<script>", html) == []
    assert not re.search(r"https?://|//cdn", html)
    assert '"/api/schema/"' in client.get("/api/docs/?script=").content.decode()


def test_an_export_is_one_operation_with_one_media_type_and_the_lists_filters(
    schema,
):
    bibtex = schema["paths"]["/api/v1/publications/export.bib"]["get"]
    listed = schema["paths"]["/api/v1/publications/"]["get"]
    names = {parameter["name"] for parameter in bibtex["parameters"]}

    assert bibtex["operationId"] == "v1_publication_export_bibtex"
    assert bibtex["responses"]["200"]["content"] == {
        "application/x-bibtex": {"schema": {"type": "string", "format": "binary"}}
    }
    assert names == {p["name"] for p in listed["parameters"]} - {
        "format",
        "page",
        "page_size",
    }
