"""Fixtures shared by the whole suite."""

import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.literature import pubmed
from claims.models import Publication
from claims.services import claims_recompute_status
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


def papers_confirm(**filters) -> None:
    """Stand in for PubMed returning each paper with its checked title, as a
    refresh would, without the network: their evidence starts counting."""
    Publication.objects.filter(**filters).update(
        metadata_state=Publication.MetadataState.CURRENT,
        verification=Publication.Verification.VERIFIED,
        fetched_at=timezone.now(),
    )
    claims_recompute_status()


@pytest.fixture
def confirmed_review(db):
    """The shipped review, with every paper confirmed as PubMed would."""
    call_command("load_review", stdout=open("/dev/null", "w"))  # noqa: SIM115
    papers_confirm()


def statuses_checked(request: pytest.FixtureRequest) -> None:
    """Fail the test unless `check_statuses` passes on the data it leaves.

    Called from the teardown of an autouse fixture, which pytest-django's own
    database fixtures (autouse, from a plugin) enclose: it runs before the
    database is rolled back or flushed. A test without the database is skipped.
    """
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not (uses_db or request.node.get_closest_marker("django_db")):
        return
    out = io.StringIO()
    try:
        call_command("check_statuses", stdout=out)
    except CommandError as error:
        pytest.fail(f"check_statuses after the test: {error}\n{out.getvalue()}")


# A multiple of every throttle window (a minute, an hour, a day): the start of
# one window of each.
WINDOW_START = 86_400 * 20_000


@pytest.fixture(autouse=True)
def _throttle_clock_in_one_window(monkeypatch):
    """The rate limits count in fixed windows (portal.throttling): a test's
    requests that straddled a minute's end were counted in two windows, and a
    limit of 2 let a third request through. Their clock starts each test at a
    window's start and runs at the real pace, so a test shorter than a minute
    stays in one window."""
    import time as real_time
    from types import SimpleNamespace

    from portal import throttling

    began = real_time.time()
    monkeypatch.setattr(
        throttling,
        "time",
        SimpleNamespace(time=lambda: WINDOW_START + real_time.time() - began),
    )
