"""Clients are told apart by their address, trusting only the configured proxies.

Each test stands in for a proxy with REMOTE_ADDR (the proxy's address) and the
X-Forwarded-For it sends (the client's, after whatever the client wrote).
"""

import logging
import secrets
import threading

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.throttling import AnonThrottle
from tests.factories import UserFactory
from tests.portal.test_cache import use_cache
from tests.redis_server import redis_server_or_skip
from tests.test_settings import django_setup

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ALICE, MALLORY = "203.0.113.7", "198.51.100.9"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def random_address() -> str:
    return ".".join(str(secrets.randbelow(256)) for _ in range(4))


@pytest.fixture
def throttled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": None},
    }
    cache.clear()


def behind_proxy(client_address: str, *, spoofed: str = "") -> dict:
    """The headers a proxy sends for a client that wrote `spoofed` itself."""
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def test_without_a_proxy_a_new_x_forwarded_for_each_request_gets_no_new_allowance(
    throttled,
):
    client = Client(REMOTE_ADDR=MALLORY)

    statuses = [
        client.get("/api/v1/info", HTTP_X_FORWARDED_FOR=random_address()).status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


def test_behind_a_proxy_each_client_is_counted_by_the_address_the_proxy_saw(
    throttled, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()

    mallory = [
        client.get("/api/v1/info", **behind_proxy(MALLORY, spoofed=random_address()))
        for _ in range(4)
    ]
    alice = client.get("/api/v1/info", **behind_proxy(ALICE))

    assert [r.status_code for r in mallory] == [200, 200, 200, 429]
    assert mallory[-1].json()["error"]["code"] == "throttled"
    assert 1 <= int(mallory[-1]["Retry-After"]) <= 60
    assert alice.status_code == 200


def fail_login(client: Client, username: str, **headers) -> None:
    client.post(
        reverse("admin:login"), {"username": username, "password": "wrong"}, **headers
    )


def log_in(username: str, **headers):
    return Client().post(
        reverse("admin:login"), {"username": username, "password": PASSWORD}, **headers
    )


def test_behind_a_proxy_failed_logins_lock_the_attacker_not_the_user_elsewhere(
    settings,
):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="curator", is_staff=True)
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(attacker, "curator", **behind_proxy(MALLORY))

    assert log_in("curator", **behind_proxy(MALLORY)).status_code == 429
    assert log_in("curator", **behind_proxy(ALICE)).status_code == 302


def test_an_address_failing_on_many_users_is_locked_for_every_user(settings):
    UserFactory(username="editor", is_staff=True)
    attacker = Client(REMOTE_ADDR=MALLORY)
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail_login(attacker, f"user-{number}")

    assert log_in("editor", REMOTE_ADDR=MALLORY).status_code == 429
    assert log_in("editor", REMOTE_ADDR=ALICE).status_code == 302


def test_without_a_proxy_x_forwarded_for_cannot_dodge_the_login_lockout(settings):
    UserFactory(username="curator", is_staff=True)
    attacker = Client(REMOTE_ADDR=MALLORY)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(attacker, "curator", HTTP_X_FORWARDED_FOR=random_address())

    locked = log_in("curator", REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=ALICE)

    assert locked.status_code == 429


@pytest.mark.parametrize(("proxies", "logged"), [(0, PROXY), (1, ALICE), (2, ALICE)])
def test_the_request_log_names_the_client_the_trusted_proxies_saw(
    client, settings, caplog, proxies, logged
):
    settings.TRUSTED_PROXY_COUNT = proxies
    # Two proxies: the outer one saw Alice, the inner one the outer one.
    forwarded = (
        f"{MALLORY}, {ALICE}, 10.0.0.1" if proxies == 2 else f"{MALLORY}, {ALICE}"
    )

    with caplog.at_level(logging.INFO, logger="portal.requests"):
        client.get("/methods/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    (record,) = [r for r in caplog.records if r.name == "portal.requests"]
    assert record.client_ip == logged
    assert record.status == 200
    assert record.getMessage().startswith(f"{logged} GET /methods/ 200")


def test_x_forwarded_proto_is_trusted_only_when_a_proxy_is_configured():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER)"
    )
    production = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50}

    direct = django_setup(code, **production)
    proxied = django_setup(code, **production, TRUSTED_PROXY_COUNT="1")

    assert direct.stdout.split() == ["None"], direct.stderr
    assert "HTTP_X_FORWARDED_PROTO" in proxied.stdout, proxied.stderr


def test_the_shared_throttle_counter_lets_exactly_the_rate_through_under_concurrency(
    settings, tmp_path
):
    redis = redis_server_or_skip(tmp_path)
    try:
        use_cache(settings, redis.url)
        # A day's window: the run cannot straddle two.
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "100/day", "user": None},
        }
        allowed = hammer(threads=8, each=40)
    finally:
        redis.stop()

    assert allowed == 100


def hammer(*, threads: int, each: int) -> int:
    """Requests from one address in parallel threads (each its own cache
    connection, as each web process has); how many the throttle let through."""
    request = RequestFactory().get("/api/v1/info", REMOTE_ADDR=ALICE)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    start = threading.Barrier(threads)
    allowed: list[bool] = []

    def client() -> None:
        start.wait()
        results = [AnonThrottle().allow_request(request, None) for _ in range(each)]
        allowed.extend(results)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(allowed) == threads * each
    return sum(allowed)
