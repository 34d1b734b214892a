"""The API as a program's author meets it: a client generated from the served
OpenAPI schema by openapi-python-client, calling a live server.

A schema that types a field wrong, omits a nullable, or asks a credential the
API ignores shows up here as a crash or a wrong value in the generated code.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from claims.models import Claim, Evidence, Publication
from tests.api.conftest import UNLIMITED
from tests.conftest import papers_confirm

VENV_BIN = Path(sys.executable).parent
# The generator reads only the media types it knows: the export formats are
# files to it, as README says (API, "Generated clients").
GENERATOR_CONFIG = """\
content_type_overrides:
  text/csv: application/octet-stream
  application/x-bibtex: application/octet-stream
  application/x-research-info-systems: application/octet-stream
  application/vnd.citationstyles.csl+json: application/octet-stream
"""
# The live server reads committed rows; the roles are migrations' rows, which
# a flush would take with it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(live_server, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": UNLIMITED,
    }
    call_command("load_review", stdout=open(os.devnull, "w"))  # noqa: SIM115
    papers_confirm()
    return live_server.url


@pytest.fixture
def portal_client(site, tmp_path, monkeypatch):
    """The package openapi-python-client generates from the live schema."""
    schema = tmp_path / "schema.json"
    schema.write_bytes(httpx.get(f"{site}/api/schema/?format=json").content)
    config = tmp_path / "config.yml"
    config.write_text(GENERATOR_CONFIG)
    generated = subprocess.run(
        [
            VENV_BIN / "openapi-python-client",
            "generate",
            "--path",
            schema,
            "--output-path",
            tmp_path / "portal_client",
            "--meta",
            "none",
            "--config",
            config,
        ],
        env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("portal_client")
    for name in [m for m in sys.modules if m.split(".")[0] == "portal_client"]:
        del sys.modules[name]


def test_a_generated_client_lists_filters_and_reads_claims(site, portal_client):
    from portal_client.api.claims import v1_claims_list, v1_claims_retrieve
    from portal_client.models import V1ClaimsListStatus

    client = portal_client.Client(base_url=site)
    claim = Claim.objects.exclude(status="insufficient").first()
    status = V1ClaimsListStatus(claim.status)

    page = v1_claims_list.sync(client=client, page_size=100)
    chosen = v1_claims_list.sync(client=client, status=status, page_size=100)
    detail = v1_claims_retrieve.sync(slug=claim.slug, client=client)

    assert page.count == Claim.objects.count()
    assert {c.slug for c in page.results} == set(
        Claim.objects.values_list("slug", flat=True)
    )
    assert chosen.count == Claim.objects.filter(status=claim.status).count()
    assert chosen.count < page.count
    assert {c.status.value for c in chosen.results} == {claim.status}
    assert detail.statement == claim.statement
    assert {e.id for e in detail.evidence} == set(
        claim.evidence.accepted().values_list("pk", flat=True)
    )


def test_a_generated_client_reads_an_unreported_facet_as_none(site, portal_client):
    from portal_client.api.evidence import v1_evidence_retrieve

    record = Evidence.objects.accepted().filter(msc_source="").first()

    found = v1_evidence_retrieve.sync(id=record.pk, client=portal_client.Client(site))

    assert found.msc_source is None


def test_a_generated_client_writes_with_its_bearer_token(site, portal_client):
    from portal_client.api.evidence import v1_evidence_create
    from portal_client.models import EffectEnum, EvidenceWrite, LevelEnum, StanceEnum

    from tests.factories import UserFactory

    curator = UserFactory(username="curator", groups=["Curator"])
    key = Token.objects.create(user=curator).key
    client = portal_client.AuthenticatedClient(base_url=site, token=key)
    claim = Claim.objects.first()
    pmid = claim.evidence.first().publication.pmid

    response = v1_evidence_create.sync_detailed(
        client=client,
        body=EvidenceWrite(
            claim=claim.slug,
            publication=pmid,
            stance=StanceEnum.SUPPORTS,
            effect=EffectEnum.NOT_ASSESSED,
            level=LevelEnum.IN_VITRO,
            finding="A finding recorded through the generated client.",
        ),
    )

    assert client.prefix == "Bearer"  # the generated default
    assert response.status_code == 201, response.content
    created = Evidence.objects.get(finding__startswith="A finding recorded through")
    assert created.created_by == curator
    assert created.status == Evidence.Status.DRAFT


def test_a_generated_client_exports_a_filtered_list_as_a_file(site, portal_client):
    import csv
    import io
    import json

    import bibtexparser
    from portal_client.api.evidence import v1_evidence_export_csv
    from portal_client.api.publications import (
        v1_publication_export_bibtex,
        v1_publication_export_csljson,
    )
    from portal_client.models import V1EvidenceExportCsvStance

    client = portal_client.Client(base_url=site)

    bib = v1_publication_export_bibtex.sync(client=client, retracted=False)
    csl = v1_publication_export_csljson.sync(client=client)
    refuting = v1_evidence_export_csv.sync(
        client=client, stance=V1EvidenceExportCsvStance.REFUTES
    )

    library = bibtexparser.parse_string(bib.payload.read().decode())
    papers = Publication.objects.filter(is_retracted=False)
    assert {e.key for e in library.entries} == {f"pmid{p.pmid}" for p in papers}
    # CSL-JSON is any JSON to the schema: the client hands back its bytes.
    items = json.loads(csl)
    assert len(items) == Publication.objects.count()
    rows = list(csv.DictReader(io.StringIO(refuting.payload.read().decode())))
    assert {row["stance"] for row in rows} == {"refutes"}
    assert len(rows) == Evidence.objects.accepted().filter(stance="refutes").count()
