"""The whole path through a real Celery worker on the machine's Redis broker.

CI starts Redis before the suite; if it is down this test fails, never skips.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from claims.models import Publication

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ZHU = 16214129


def database_url() -> str:
    """The test database, as a URL a separate process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker_env(fake_eutils):
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return env | {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "NCBI_EUTILS_URL": fake_eutils.url,
        "NCBI_READ_TIMEOUT": "5",
    }


@pytest.fixture
def worker(worker_env, tmp_path):
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker"]
    options = ["-Q", "celery,ncbi", "--concurrency", "1", "--pool", "solo"]
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [*command, *options, "--loglevel", "INFO"],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.mark.django_db(transaction=True)
def test_a_pmid_added_from_the_command_line_is_fetched_by_a_real_worker(
    worker_env, worker, fake_eutils, tmp_path
):
    subprocess.run(
        [sys.executable, "manage.py", "refresh_citations", str(ZHU)],
        cwd=ROOT,
        env=worker_env,
        check=True,
        capture_output=True,
    )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pub = Publication.objects.filter(pmid=ZHU).first()
        if pub and pub.metadata_state == "current":
            break
        time.sleep(0.5)

    log = (tmp_path / "worker.log").read_text()
    assert pub is not None, log
    assert pub.metadata_state == "current", log
    assert pub.journal_iso == "Exp Mol Pathol"
    assert len(fake_eutils.requests) == 1
