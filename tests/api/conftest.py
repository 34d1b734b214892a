"""Fixtures for the API tests: clients with and without a role, and data."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.curation import CURATOR_GROUP, EDITOR_GROUP
from tests.factories import UserFactory

UNLIMITED = {"anon": None, "user": None}


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """Rate limits get their own tests; elsewhere they would only add flakiness."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": UNLIMITED,
    }
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    """A client sending the user's token, as a program would."""
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}"
    )
    return client


@pytest.fixture
def curator():
    return UserFactory(username="curator", groups=[CURATOR_GROUP])


@pytest.fixture
def other_curator():
    return UserFactory(username="other-curator", groups=[CURATOR_GROUP])


@pytest.fixture
def editor():
    return UserFactory(username="editor", groups=[EDITOR_GROUP])


@pytest.fixture
def reader():
    """Logged in, but without any curation role."""
    return UserFactory(username="reader")


@pytest.fixture
def as_curator(curator):
    return client_for(curator)


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.fixture
def as_reader(reader):
    return client_for(reader)
