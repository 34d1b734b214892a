"""Faults the portal must survive: a worker killed mid-batch, the broker down.

The worker tests run real Celery workers on the machine's Redis (a database of
their own, emptied first). CI starts Redis; there a missing Redis fails them.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client

from claims.literature import citations, tasks
from claims.literature.tasks import plan_refresh_task
from claims.models import Publication, PublicationChange, RefreshRun
from portal.celery import app as celery_app
from tests.claims.test_worker import database_url
from tests.factories import PublicationFactory
from tests.portal.conftest import READS

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_FAULTS_REDIS_URL", "redis://127.0.0.1:6379/13")
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
# Short, so a message a killed worker held is delivered again within the test.
VISIBILITY_TIMEOUT = 2
ABSENT_PMID = 39999999  # not in the fake's fixtures: "missing upstream"
ZHU = 16214129


def wait_for(condition: Callable[[], object], what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    pytest.fail(f"Gave up waiting {seconds} s for {what}")


def use_broker(url: str) -> None:
    """Point the app at another broker; kombu keeps one pool per broker URL."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """The test's own Redis database, empty, and the app publishing to it."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is needed at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    previous = celery_app.conf.broker_url
    use_broker(REDIS_URL)
    yield client
    use_broker(previous)
    client.flushdb()


class Workers:
    """Real Celery workers (prefork, one child) in process groups of their own."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log.open("w")
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker"]
        options = ["-Q", "celery,ncbi", "--pool", "prefork", "--concurrency", "1"]
        process = subprocess.Popen(
            [*command, *options, "--loglevel", "INFO", "--without-heartbeat"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, children included
        )
        self.processes.append(process)
        return process

    def pool_child(self, process: subprocess.Popen) -> int:
        """The pid of the prefork child that runs the tasks."""
        path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        return int(wait_for(lambda: path.read_text().split(), "the pool child")[0])

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the parent and its pool child at once, as a lost machine would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        wait_for(lambda: not _group_alive(process.pid), "the killed group to go")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
        self.log.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def workers(broker, fake_eutils, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "NCBI_EUTILS_URL": fake_eutils.url,
        # Longer than the stall below: the worker must be waiting, not failing.
        "NCBI_READ_TIMEOUT": "30",
    }
    pool = Workers(env, tmp_path / "workers.log")
    yield pool
    pool.stop()


def seed(pmids: list[int]) -> None:
    """Papers as a curator left them: checked title, author, journal, pending."""
    for pmid in pmids:
        PublicationFactory(
            pmid=pmid,
            title=f"Checked title of {pmid}",
            curated_title=f"Checked title of {pmid}",
            first_author="Checked",
            journal="Checked journal",
            year=2000,
            metadata_state=Publication.MetadataState.PENDING,
        )


VOLATILE = {"id", "created_at", "updated_at", "fetched_at"}


def snapshot() -> dict:
    """Every paper's fields, the change log and the run's counts, minus times."""
    fields = [f.attname for f in Publication._meta.concrete_fields]
    papers = [
        {name: getattr(pub, name) for name in fields if name not in VOLATILE}
        for pub in Publication.objects.order_by("pmid")
    ]
    changes = [
        (c.publication.pmid, c.field, json.dumps([c.old_value, c.new_value]))
        for c in PublicationChange.objects.select_related("publication")
    ]
    (run,) = RefreshRun.objects.all()
    counts = ("requested", "changed", "unchanged", "missing", "failed")
    return {
        "papers": papers,
        "changes": sorted(changes),
        "run": {name: getattr(run, name) for name in (*counts, "errors")},
        "run_finished": run.finished_at is not None,
        "fetched": all(p.fetched_at for p in Publication.objects.all()),
    }


def clean_run(pmids: list[int]) -> dict:
    """The same refresh on fresh papers, in this process, with nothing killed."""
    Publication.objects.all().delete()
    RefreshRun.objects.all().delete()
    seed(pmids)
    run = RefreshRun.objects.create(
        trigger=RefreshRun.Trigger.COMMAND, requested=len(pmids)
    )
    citations.publications_refresh(pmids=pmids, run=run)
    return snapshot()


def refresh_finished() -> bool:
    return RefreshRun.objects.filter(finished_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("victim", ["worker", "pool_child"])
def test_a_batch_killed_mid_fetch_is_redelivered_and_ends_as_a_clean_run_would(
    workers, broker, fake_eutils, fast_rate, victim
):
    pmids = sorted([*fake_eutils.articles, ABSENT_PMID])
    seed(pmids)
    fake_eutils.inject("timeout", seconds=120)  # the first efetch hangs
    first = workers.start()

    tasks.refresh_plan(pmids=pmids, trigger=RefreshRun.Trigger.COMMAND)
    wait_for(lambda: fake_eutils.requests, "the worker to send its efetch")
    if victim == "worker":
        workers.kill(first)
        # Taken, never acknowledged: Redis holds it until the visibility timeout.
        ((_tag, taken_at),) = broker.zrange("unacked_index", 0, -1, withscores=True)
        assert not Publication.objects.exclude(metadata_state="pending").exists()
        # Killed inside kombu's restore scan, a worker leaves its mutex held until
        # it expires (unacked_mutex_expire, 5 minutes): stand in for that expiry.
        broker.delete("unacked_mutex")
        wait_for(lambda: time.time() > taken_at + VISIBILITY_TIMEOUT + 0.5, "timeout")
        workers.start()
    else:
        # The parent survives, sees its child lost and puts the task back.
        os.kill(workers.pool_child(first), signal.SIGKILL)
    wait_for(refresh_finished, "the redelivered batch to be applied")
    assert (first.poll() is None) == (victim == "pool_child")

    after_kill = snapshot()
    assert len(fake_eutils.requests) == 2  # the lost fetch, then the redelivery
    assert after_kill["changes"]
    assert len(after_kill["changes"]) == len(set(after_kill["changes"]))
    assert after_kill["run"]["changed"] == len(pmids) - 1
    assert after_kill["run"]["missing"] == 1
    assert after_kill == clean_run(pmids)


# -- the broker is down ------------------------------------------------------------


@pytest.fixture
def dead_broker(settings):
    """The broker's URL points at a port nothing listens on, for the app too."""
    previous = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = DEAD_BROKER
    use_broker(DEAD_BROKER)
    yield
    use_broker(previous)


@pytest.mark.django_db
def test_reads_keep_working_while_the_broker_is_down(client, site, dead_broker):
    for url in [*READS, f"/topics/{site.claim.topic.slug}/"]:
        assert client.get(url).status_code == 200, url

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": True, "broker": False, "cache": True}


def http(method: str, url: str, body: dict | None = None, token: str = "") -> tuple:
    """One real HTTP request with a socket timeout: it must come back."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


@pytest.fixture
def editor_token() -> str:
    from rest_framework.authtoken.models import Token

    user = User.objects.create_superuser("editor", password="x")
    return Token.objects.create(user=user).key


@pytest.mark.django_db(transaction=True)
def test_a_paper_added_while_the_broker_is_down_is_kept_and_fetched_once_it_is_back(
    live_server, dead_broker, editor_token, fake_eutils, fast_rate, settings
):
    url = f"{live_server.url}/api/v1/publications/"

    status, body = http("POST", url, {"pmid": ZHU}, token=editor_token)

    assert status == 201
    assert body["metadata_state"] == "pending"
    pub = Publication.objects.get(pmid=ZHU)
    assert pub.metadata_state == "pending"
    assert "could not be queued" in pub.last_error
    (run,) = RefreshRun.objects.all()
    assert run.errors[0].startswith("Broker unavailable, 1 PMIDs not queued")
    assert tasks.due_pmids() == [ZHU]
    assert http("GET", f"{url}{ZHU}/")[0] == 200

    # The broker is back: the nightly planner fetches the paper left pending.
    settings.CELERY_BROKER_URL = "memory://"
    use_broker("memory://")
    celery_app.conf.task_always_eager = True
    try:
        plan_refresh_task.delay()
    finally:
        celery_app.conf.task_always_eager = False

    pub.refresh_from_db()
    assert pub.metadata_state == "current"
    assert pub.journal_iso == "Exp Mol Pathol"
    assert pub.last_error == ""
    assert tasks.due_pmids() == []


@pytest.mark.django_db(transaction=True)
def test_pasting_pmids_while_the_broker_is_down_keeps_them_and_says_so(dead_broker):
    admin = Client()
    admin.force_login(User.objects.create_superuser("editor", password="x"))

    response = admin.post(
        "/admin/claims/publication/add-pmids/", {"pmids": f"{ZHU}"}, follow=True
    )

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("could not be queued" in m for m in messages), messages
    assert not any("being fetched" in m for m in messages), messages
    assert Publication.objects.get(pmid=ZHU).metadata_state == "pending"
    assert RefreshRun.objects.get().errors
