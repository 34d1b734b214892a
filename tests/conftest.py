"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache

from claims import pubmed
from portal.celery import app as celery_app
from tests.fake_eutils import FakeEutilsServer

# Tests never put messages in the embedded broker `make run` reads; a test that
# needs a real worker starts one on its own broker.
celery_app.conf.broker_url = "memory://"
celery_app.conf.broker_transport_options = {}


@pytest.fixture
def fake_eutils(settings):
    """A fake E-utilities server on 127.0.0.1, with NCBI_EUTILS_URL pointing at it."""
    server = FakeEutilsServer().start()
    settings.NCBI_EUTILS_URL = server.url
    # Clients built from settings give up within a second, well inside the 3 s an
    # injected "timeout" stalls, so timeout tests stay fast.
    settings.NCBI_READ_TIMEOUT = 1.0
    yield server
    server.stop()


@pytest.fixture
def fast_rate(monkeypatch) -> pubmed.LocalRateLimiter:
    """Lift the NCBI rate limit for clients built from settings, so tests run fast."""
    limiter = pubmed.LocalRateLimiter(rate=1000)
    # Patched where EutilsClient.from_settings() looks it up, not where it is defined.
    monkeypatch.setattr(pubmed.client, "rate_limiter_from_settings", lambda: limiter)
    return limiter


@pytest.fixture
def eager():
    """Run tasks in-process, as soon as they are sent."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing test passwords with PBKDF2 would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages and reads are keyed by the data, not by the test's settings."""
    cache.clear()
