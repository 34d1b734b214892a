"""bench/load.py at a small scale: gunicorn under wrk answers without an error.

wrk is Debian's package; CI installs it, and without it this test fails there
(never skips).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.redis_server import redis_server_or_skip

ROOT = Path(__file__).resolve().parents[2]
URL_FIGURES = {"requests", "requests_per_s", "p50_ms", "p99_ms", "socket_errors"}
URL_FIGURES |= {"timeouts", "status_errors", "rss_mb_after"}


def database_url() -> str:
    """The test database, as a URL gunicorn's workers can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def wrk():
    if shutil.which("wrk"):
        return
    message = "wrk is missing; see the wrk step of .ci/run"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.mark.django_db(transaction=True)
def test_gunicorn_under_wrk_serves_every_url_without_errors_or_growth(wrk, tmp_path):
    call_command("load_review", stdout=open(os.devnull, "w"))  # noqa: SIM115
    report_file = tmp_path / "report.json"
    options = ["--duration", "2", "--warmup", "1", "--connections", "8"]
    options += ["--json", str(report_file)]

    result = subprocess.run(
        [sys.executable, "bench/load.py", *options],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(report_file.read_text())
    assert len(report["runs"]) == 2
    for run in report["runs"]:
        assert [url["name"] for url in run["urls"]] == [
            "API claims list",
            "API claim",
            "claims page",
            "claim page",
        ]
        for url in run["urls"]:
            assert url.keys() >= URL_FIGURES
            assert url["requests"] > 0
            assert url["socket_errors"] == url["timeouts"] == url["status_errors"] == 0
    assert report["failures"] == []
    assert report["memory"]["growth_mb"] <= 20
    assert "command: " in result.stdout


@pytest.mark.django_db(transaction=True)
def test_with_throttling_on_gunicorn_under_wrk_answers_429s_and_never_a_5xx(
    wrk, tmp_path
):
    call_command("load_review", stdout=open(os.devnull, "w"))  # noqa: SIM115
    redis = redis_server_or_skip(tmp_path)
    report_file = tmp_path / "report.json"
    options = ["--duration", "2", "--warmup", "1", "--connections", "64"]
    options += ["--throttle", "--json", str(report_file)]
    env = os.environ | {"DATABASE_URL": database_url(), "CACHE_URL": redis.url}
    try:
        result = subprocess.run(
            [sys.executable, "bench/load.py", *options],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        redis.stop()

    assert result.returncode == 0, result.stdout + result.stderr
    urls = [
        url
        for run in json.loads(report_file.read_text())["runs"]
        for url in run["urls"]
    ]
    assert all(url["status_5xx"] == url["socket_errors"] == 0 for url in urls)
    # The pages count against the same per-client rate as the API.
    throttled = {url["name"] for url in urls if url["status_429"] > 0}
    assert throttled == {"API claims list", "API claim", "claims page", "claim page"}
