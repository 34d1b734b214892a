"""The running API, fuzzed against its own OpenAPI schema by schemathesis.

Every operation, writes included (with an Editor's token), on a live server,
with valid and with invalid input: no response may be a 5xx, carry a status
the schema does not list, or a body the schema does not describe.

schemathesis' pytest plugin does not run under pytest 9, so each operation
drives schemathesis' own Hypothesis strategies directly.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from claims.curation import EDITOR_GROUP
from claims.models import Evidence
from tests.api.test_schema import OPERATIONS
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    TopicFactory,
    UserFactory,
)

# A live server needs committed data; serialized rollback restores the roles
# the migrations created, whichever transactional test flushed them before;
# ids restart at 1, where the generated ids fall, so real evidence gets hit.
pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, reset_sequences=True
)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = (
    12  # per operation and mode: ~25 requests each, the run stays well under a minute
)


@pytest.fixture(scope="module")
def api_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")


@pytest.fixture
def editor_token() -> str:
    editor = UserFactory(username="schemathesis-editor", groups=[EDITOR_GROUP])
    return Token.objects.create(user=editor).key


@pytest.fixture
def data():
    """A little real data, so that lookups, filters and the schema's examples
    find something."""
    ClaimFactory(slug="bm-msc-promote-primary-tumor-growth")
    PublicationFactory(pmid=16214129)
    topic = TopicFactory(slug="homing")
    for n in range(3):
        claim = ClaimFactory(topic=topic, slug=f"claim-{n}")
        paper = PublicationFactory(
            pmid=n + 1,
            authors=[{"last_name": "Karnoub", "fore_name": "Antoine E"}],
            pages="557-63",
            pub_date="2007 Oct 4",
        )
        EvidenceFactory(claim=claim, publication=paper)
        EvidenceFactory(claim=claim, status=Evidence.Status.SUBMITTED)


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
@pytest.mark.usefixtures("data")
def test_the_api_keeps_to_its_schema(api_schema, editor_token, method, path):
    operation = api_schema[path][method.upper()]
    headers = {"Authorization": f"Token {editor_token}"}
    # The schema's own examples first (a valid write, say), then generated
    # input, valid and invalid.
    examples = api_schema.get_strategies_from_examples(operation)
    generated = [
        (operation.as_strategy(generation_mode=mode), EXAMPLES, mode)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]

    for strategy, count, mode in [*((e, 1, None) for e in examples), *generated]:

        @given(case=strategy)
        @settings(
            max_examples=count,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except Unsatisfiable:
            # Nothing invalid to send: every string is a valid slug, say.
            if mode is not GenerationMode.NEGATIVE:
                raise
