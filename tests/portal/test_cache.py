"""The shared cache fails open: with Redis gone, pages and the API still answer.

One test points the cache at a closed port on 127.0.0.1; another runs a
redis-server of its own and kills it mid-run, then starts it again.
"""

import logging
import time

import pytest
from django.core.cache import cache

from portal import cache as fail_open
from tests.portal.conftest import READS
from tests.redis_server import free_port, redis_server_or_skip

pytestmark = pytest.mark.django_db


def use_cache(settings, url: str) -> None:
    """The production cache settings, pointed at `url`, with throttling on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "3/min"},
    }


@pytest.fixture
def closed_port_cache(settings):
    use_cache(settings, f"redis://127.0.0.1:{free_port()}/0")
    fail_open.ERRORS.__init__()  # a report from an earlier test must not hide ours


def test_pages_and_api_answer_200_uncached_when_the_cache_is_on_a_closed_port(
    client, site, closed_port_cache, caplog
):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        answers = [(url, client.get(url).status_code) for url in READS * 2]

    assert answers == [(url, 200) for url in READS * 2]
    # Twice the throttle's 3 a minute: a counter that cannot be kept lets through.
    assert len(READS) * 2 > 3
    reports = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(reports) == 1, [r.getMessage() for r in reports]
    assert "Cache unavailable, serving uncached" in reports[0].getMessage()


def test_readyz_says_degraded_with_200_when_only_the_cache_is_down(
    client, closed_port_cache
):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": True, "broker": True, "cache": False},
    }


def test_errors_are_reported_once_a_minute_with_the_number_left_out(
    closed_port_cache, caplog, monkeypatch
):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(5):
            cache.ping()  # asks Redis every time, whatever the last error
        monkeypatch.setattr(fail_open, "LOG_EVERY_SECONDS", 0.0)
        cache.ping()

    messages = [r.getMessage() for r in caplog.records if r.name == "portal.cache"]
    assert len(messages) == 2
    assert "4 more errors since the last report" in messages[1]


def test_a_cache_error_reads_as_a_miss_or_a_no_op(closed_port_cache):
    assert cache.get("absent", "default") == "default"
    assert cache.add("key", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("key", 1) is None
    with pytest.raises(ValueError, match="not found"):
        cache.incr("key")


def wait_for_cache(value: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cache.set("probe", value)
        if cache.get("probe") == value:
            return True
        time.sleep(0.1)
    return False


def test_the_cache_recovers_without_a_restart_when_redis_comes_back(
    client, site, settings, tmp_path
):
    redis = redis_server_or_skip(tmp_path)
    try:
        use_cache(settings, redis.url)
        assert wait_for_cache("before")
        assert client.get("/claims/").status_code == 200

        redis.stop()
        down = [(url, client.get(url).status_code) for url in READS]
        ready_down = client.get("/readyz").json()
        assert cache.get("probe") is None

        redis.start()
        recovered = wait_for_cache("after")
        ready_up = client.get("/readyz").json()
        page = client.get("/claims/")
    finally:
        redis.stop()

    assert down == [(url, 200) for url in READS]
    assert ready_down["status"] == "degraded"
    assert recovered
    assert ready_up == {
        "status": "ok",
        "checks": {"database": True, "broker": True, "cache": True},
    }
    assert page.status_code == 200
