"""Benchmark: refresh N PMIDs through real Celery workers at NCBI's rate limit.

    .venv/bin/python bench/refresh.py [--pmids 10000] [--api-key]

Needs Redis on 127.0.0.1:6379 (the broker and the global token bucket). Uses its
own database (var/bench-refresh.sqlite3 unless DATABASE_URL is set) and the fake
E-utilities server from tests/, which answers 429 to any request over the rate
(3/s, or 10/s with an API key, as the portal itself uses; --api-key sets a dummy
NCBI_API_KEY for the workers and this process).

Phase 1, the production path: an `ncbi` worker (concurrency 1) fetches and parses,
a default-queue worker writes. Reports requests against ceil(N/200), wall time
against the rate floor N/200/rate, and each worker's peak memory.
Phase 2, in this process with no rate limit: parse and upsert throughput.
"""

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-refresh.sqlite3'}"
)
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmids", type=int, default=10_000)
    parser.add_argument(
        "--api-key", action="store_true", help="refresh at 10 requests/s, not 3"
    )
    return parser.parse_args()


# Before Django reads its settings: the API key decides the rate limit.
ARGS = arguments()
if ARGS.api_key:
    os.environ["NCBI_API_KEY"] = "bench-dummy-key"

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from claims.literature import citations, pubmed, tasks  # noqa: E402
from claims.models import Publication, PublicationChange, RefreshRun  # noqa: E402
from tests.fake_eutils import FakeEutilsServer  # noqa: E402

FIRST_PMID = 50_000_001


def prepare(count: int) -> list[int]:
    call_command("migrate", verbosity=0)
    PublicationChange.objects.all().delete()
    RefreshRun.objects.all().delete()
    # One DELETE: the ORM's delete() would load every row and write a history
    # row for each. The bench's papers have no evidence and no history.
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Publication._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE pmid >= %s", [FIRST_PMID])
    pmids = list(range(FIRST_PMID, FIRST_PMID + count))
    # A thousand rows at a time: bulk_create of a generator would first hold
    # every instance (~170 MB at 100,000).
    with transaction.atomic():
        for start in range(0, count, 1000):
            rows = [Publication(pmid=p) for p in pmids[start : start + 1000]]
            Publication.objects.bulk_create(rows)
    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    return pmids


def time_planner() -> tuple[int, float]:
    """The nightly planner's query over the new (pending) papers: rows, seconds."""
    started = time.perf_counter()
    due = tasks.due_pmids()
    return len(due), time.perf_counter() - started


def start_worker(queue: str, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue]
    command += ["--pool", "solo", "--loglevel", "INFO", "-n", f"{queue}@bench"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_ready(logs: list[Path], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all("ready." in log.read_text() for log in logs):
            return
        time.sleep(0.2)
    raise SystemExit(f"workers did not start; see {', '.join(map(str, logs))}")


def peak_memory_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def through_workers(pmids: list[int], server: FakeEutilsServer) -> dict:
    """Phase 1: the refresh as production runs it."""
    env = os.environ | {"NCBI_EUTILS_URL": server.url}
    queues = ("ncbi", "celery")
    logs = [ROOT / "var" / f"bench-worker-{q}.log" for q in queues]
    workers = [start_worker(q, env, log) for q, log in zip(queues, logs, strict=True)]
    try:
        wait_ready(logs)
        started = time.perf_counter()
        run = tasks.refresh_plan(pmids=pmids, trigger=RefreshRun.Trigger.COMMAND)
        while run.finished_at is None:
            time.sleep(0.05)
            run.refresh_from_db()
        wall = time.perf_counter() - started
        load = os.getloadavg()[0]
        memory = {
            q: peak_memory_mb(w.pid) for q, w in zip(queues, workers, strict=True)
        }
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
    return {"run": run, "wall": wall, "memory": memory, "load": load}


def in_process(pmids: list[int], server: FakeEutilsServer) -> tuple[float, float]:
    """Phase 2: parse and upsert seconds for the same records, no rate limit."""
    # A range, not pmid__in: 100,000 parameters is past the limit of SQLite
    # builds with the default SQLITE_MAX_VARIABLE_NUMBER (32,766).
    Publication.objects.filter(pmid__gte=FIRST_PMID).update(
        metadata_state=Publication.MetadataState.PENDING, record_hash=""
    )
    server.enforce_rate = None
    client = pubmed.EutilsClient(
        base_url=server.url, rate_limiter=pubmed.LocalRateLimiter(1000)
    )
    parse = upsert = 0.0
    for batch in citations.batches(pmids):
        raw = client.efetch(batch)
        t0 = time.perf_counter()
        payloads = [citations.record_payload(r) for r in pubmed.parse_pubmed_xml(raw)]
        t1 = time.perf_counter()
        citations.refresh_apply(pmids=batch, payloads=payloads)
        parse, upsert = parse + t1 - t0, upsert + time.perf_counter() - t1
    return parse, upsert


def main(args: argparse.Namespace) -> None:
    rate = pubmed.rate_limiter_from_settings().rate

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    pmids = prepare(args.pmids)
    prepared = time.perf_counter() - started
    due, planned = time_planner()
    server = FakeEutilsServer().start()
    server.synthesize(pmids)
    server.enforce_rate = rate
    result = through_workers(pmids, server)
    requests, max_rate = len(server.requests), server.max_rate(1.0)
    parse, upsert = in_process(pmids, server)
    server.stop()

    run, wall = result["run"], result["wall"]
    expected = math.ceil(len(pmids) / pubmed.BATCH_SIZE)
    floor = expected / rate
    flags = f"--pmids {args.pmids}{' --api-key' if args.api_key else ''}"
    print(f"command: .venv/bin/python bench/refresh.py {flags}")
    print(f"database: {connection.vendor}; broker: {os.environ['CELERY_BROKER_URL']}")
    print(
        f"setup: {len(pmids)} publications created in {prepared:.1f} s; "
        f"planner query (due_pmids) found {due} due in {planned:.2f} s"
    )
    print(
        f"PMIDs: {len(pmids)}; changed {run.changed}, missing {run.missing}, "
        f"failed {run.failed}"
    )
    print(
        f"efetch requests: {requests} (target ceil(N/200) = {expected}); "
        f"most in any 1 s window: {max_rate} (limit {rate:g})"
    )
    print(
        f"wall time: {wall:.2f} s; rate floor {expected}/{rate:g} = "
        f"{floor:.2f} s; ratio {wall / floor:.3f} (target <= 1.15)"
    )
    print(
        "worker peak memory (VmHWM): "
        + ", ".join(f"{q} {mb:.0f} MB" for q, mb in result["memory"].items())
    )
    print(
        f"in-process: parse {len(pmids) / parse:.0f} records/s, "
        f"upsert {len(pmids) / upsert:.0f} records/s"
    )
    print(f"this process's peak memory (VmHWM): {peak_memory_mb('self'):.0f} MB")
    print(
        f"load average (1 min; 2 cores here, other jobs count too): "
        f"{load_before:.2f} at start, {result['load']:.2f} at the end of phase 1"
    )


if __name__ == "__main__":
    main(ARGS)
