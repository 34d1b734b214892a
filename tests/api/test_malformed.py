"""Malformed input of every kind is a 400 in the API's error shape, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error.keys() == {"status", "code", "message", "fields"}
    assert error["status"] == status
    return error


@pytest.mark.parametrize(
    "params",
    [
        "page=%C2%B2",  # superscript two: isdigit() is true, int() fails
        "page_size=%E2%91%A0",  # circled digit one
        "page=%D9%A3",  # Arabic-Indic three: int() takes it, we do not
        "page=" + "9" * 5000,  # past int()'s 4,300 digits
        "page_size=" + "9" * 5000,
    ],
)
def test_a_page_or_page_size_that_is_not_ascii_digits_is_a_400_naming_it(api, params):
    error = assert_error_shape(api.get(f"/api/v1/claims/?{params}"), 400)

    assert params.split("=")[0] in error["fields"]


def test_json_nested_five_thousand_deep_is_a_400_parse_error(as_curator):
    response = as_curator.post(
        "/api/v1/publications/", "[" * 5000, content_type="application/json"
    )

    error = assert_error_shape(response, 400)
    assert error["code"] == "parse_error"
    assert "body" in error["fields"]


def test_a_body_over_the_upload_limit_is_a_400_in_the_api_error_shape(
    as_curator, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"pmid": 17914389, "note": "' + "x" * 2000 + '"}'

    response = as_curator.post(
        "/api/v1/publications/", body, content_type="application/json"
    )

    error = assert_error_shape(response, 400)
    assert error["code"] == "parse_error"
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in error["message"]


# Any text but lone surrogates, which no client can send as UTF-8, with digits
# of every script and long numbers made likely.
TEXT = (
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    | st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=3)
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | st.integers(min_value=1, max_value=6000).map(lambda digits: "7" * digits)
)


@pytest.fixture
def three_claims():
    """Made once for all the examples of a test: they only read."""
    return ClaimFactory.create_batch(3)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(page=st.none() | TEXT, page_size=st.none() | TEXT)
def test_any_page_and_page_size_is_a_200_or_a_400_or_404_in_the_error_shape(
    three_claims, page, page_size
):
    params = {k: v for k, v in {"page": page, "page_size": page_size}.items() if v}

    response = APIClient().get("/api/v1/claims/", params)

    assert response.status_code in (200, 400, 404), (params, response.content[:300])
    if response.status_code != 200:
        assert_error_shape(response, response.status_code)
