import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_a_container_probe_over_plain_http_on_any_host(settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(HTTP_HOST="172.18.0.5:8000")

    assert probe.get("/healthz").status_code == 200
    # Everything else still insists on a known host and on HTTPS.
    assert probe.get("/methods/").status_code == 400
    assert Client(HTTP_HOST="portal.example.org").get("/methods/").status_code == 301


def test_readyz_is_ready_when_database_and_broker_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks == {"database": True, "broker": True, "cache": True}


def test_readyz_is_503_and_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks == {"database": True, "broker": False, "cache": True}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


@pytest.fixture
def proxy():
    if connection.vendor != "postgresql":
        pytest.skip("needs a network link to the database; CI runs it on PostgreSQL")
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def server(proxy, tmp_path):
    """gunicorn in its own process, reaching the test database through the proxy.

    Connections persist between requests (DATABASE_CONN_MAX_AGE), as in
    production, so cutting the proxy breaks a connection the server holds.
    """
    db = connection.settings_dict
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_DEBUG": "1",  # a traceback page, were there one, would show
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            fetch(f"{url}/healthz")
            break
        except OSError:
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_a_503_and_the_next_request_recovers(
    proxy, server
):
    call_command("load_review", verbosity=0)
    assert fetch(f"{server}/claims/")[0] == 200
    assert fetch(f"{server}/api/v1/claims/")[0] == 200

    proxy.cut()
    page = fetch(f"{server}/claims/")
    api = fetch(f"{server}/api/v1/claims/")
    proxy.restore()
    recovered_page = fetch(f"{server}/claims/")
    recovered_api = fetch(f"{server}/api/v1/claims/")

    assert page[0] == 503
    assert page[2]["Retry-After"] == "30"
    assert b"Traceback" not in page[1]
    assert api[0] == 503
    assert json.loads(api[1])["error"]["code"] == "unavailable"
    assert recovered_page[0] == 200
    assert recovered_api[0] == 200


def test_readyz_answers_a_probe_over_plain_http_on_any_host(settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = Client(HTTP_HOST="172.18.0.5:8000").get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
