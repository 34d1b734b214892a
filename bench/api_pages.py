"""Benchmark: the API and the reader's pages at scale, against their SQL floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \\
        .venv/bin/python bench/api_pages.py [--requests 200] [--only NAME ...]

Needs PostgreSQL: the default DATABASE_URL above, created once with
`createdb -h 127.0.0.1 -U postgres portal_scale`. A database without the scale
data is migrated, loaded and filled first (`load_review`,
`generate_scale_data`: about 3 minutes). Figures: docs/performance.md.

Each request goes in-process through Django's full middleware stack (the test
client, production settings: DEBUG off), and is timed from the request to the
last byte of the body, so the figures are server-side: no network, no WSGI
server. For each case: p50 and p95 over --requests requests, the SQL queries
one request makes, and the ratio to the floor, one hand-written json_agg query
producing the same page (bench/floor_sql.py; for the API, checked to give the
same data first), timed interleaved with the requests; then the p50 and p95 of
--cold-requests requests with the cache emptied before each: the cost of the
first read after any change to the data. The CSV export of ~100,000 evidence
rows is timed over a few runs, with the peak memory (Python heap, by
tracemalloc) it took while streaming.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_scale")
# Production settings, reachable by the test client, and no throttling: the
# benchmark sends far more requests than a reader may.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("API_THROTTLE_ANON", "100000000/min")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise warns that collectstatic has not run: the pages need no files.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench import floor_sql  # noqa: E402
from bench.scale_data.generate import scale_data_present  # noqa: E402
from portal.maintenance import maintain_database  # noqa: E402

COMMAND = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale "
    ".venv/bin/python bench/api_pages.py"
)
CSV_RUNS = 3
CSV_ROWS = 100_000
# Words by how many rows hold them (seed 1), with the tsquery each means
# (claims.search.query: "tumor" also matches "tumour"):
# in 59,227 of the 60,000 papers: the search lists its first matches in order;
COMMON_WORD = ("tumor", "tumor | tumour")
# in 7,539 papers, 3 findings and 1 claim, but through the papers in 11,367
# claims, too few of them first in order: every match is gathered;
SEARCH_WORD = ("angiogenesis", "angiogenesis")
# in 2 papers, 6 findings and 2 claims: gathered.
RARE_WORD = ("cxcr4", "cxcr4")
TWO_FACETS = {"delivery": "co_injection", "immune_status": "immunodeficient"}
BROWSE_CLAIM = {"status": "contested"}
BROWSE_EVIDENCE = {"delivery": "co_injection"}


@dataclass
class Case:
    name: str
    url: str
    floor: tuple  # (sql, params)
    status: int = 200


@dataclass
class Result:
    case: Case
    times: list[float]
    floor_times: list[float]
    queries: str  # cached / rendered afresh
    size: int
    cold: list[float]

    def p(self, q: float, values: list[float] | None = None) -> float:
        values = sorted(self.times if values is None else values)
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000

    def row(self) -> str:
        p50, p95 = self.p(0.5), self.p(0.95)
        f50 = self.p(0.5, self.floor_times)
        f95 = self.p(0.95, self.floor_times)
        return (
            f"| {self.case.name} | {len(self.times)} | {p50:.1f} | {p95:.1f} | "
            f"{self.queries} | {f50:.1f} | {f95:.1f} | {p50 / f50:.2f} | "
            f"{self.p(0.5, self.cold):.1f} | {self.p(0.95, self.cold):.1f} | "
            f"{self.p(0.5, self.cold) / f50:.2f} | {self.size / 1024:.0f} KiB |"
        )


def prepare() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark needs PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    if not scale_data_present():
        print("No scale data: loading the review and generating it (~3 min)...")
        call_command("load_review", verbosity=0)
        call_command("generate_scale_data")
    # Statistics and the visibility map, fresh after the bulk load: autovacuum
    # is off on our machines.
    maintain_database()
    # collectstatic is not the benchmark's business: serve static names as-is.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def one_row(sql: str, params=()) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def pick_claims() -> tuple[str, str, int, int]:
    """A claim with the median number of accepted evidence records, and the
    claim with the most (ties broken by slug, so every run picks the same)."""
    counts = """
        SELECT c.slug, count(e.id) AS n FROM claims_claim c
        LEFT JOIN claims_evidence e ON e.claim_id = c.id AND e.status = 'accepted'
        GROUP BY c.slug
    """
    total = one_row(f"SELECT count(*) FROM ({counts}) x")[0]
    median = one_row(f"{counts} ORDER BY n, slug OFFSET %s LIMIT 1", [total // 2])
    large = one_row(f"{counts} ORDER BY n DESC, slug LIMIT 1")
    return median[0], large[0], median[1], large[1]


def csv_year_min() -> int:
    """The first year from which on accepted evidence reaches ~100,000 rows."""
    years = """
        SELECT p.year, count(*) FROM claims_evidence e
        JOIN claims_publication p ON p.id = e.publication_id
        WHERE e.status = 'accepted' AND p.year IS NOT NULL
        GROUP BY p.year ORDER BY p.year DESC
    """
    with connection.cursor() as cursor:
        cursor.execute(years)
        total = 0
        for year, n in cursor.fetchall():
            total += n
            if total >= CSV_ROWS:
                return year
    return 1000


def cases() -> list[Case]:
    median, large, n_median, n_large = pick_claims()
    print(f"claims: median {median} ({n_median} records), large {large} ({n_large})")
    two = "&".join(f"{k}={v}" for k, v in TWO_FACETS.items())
    browse = "&".join(f"{k}={v}" for k, v in (BROWSE_CLAIM | BROWSE_EVIDENCE).items())
    return [
        Case(
            "API claims list, page_size=100",
            "/api/v1/claims/?page_size=100",
            floor_sql.claims_page(limit=100),
        ),
        Case(
            f"API claim detail, median ({n_median} evidence)",
            f"/api/v1/claims/{median}/",
            floor_sql.claim_detail(slug=median),
        ),
        Case(
            f"API claim detail, largest ({n_large} evidence)",
            f"/api/v1/claims/{large}/",
            floor_sql.claim_detail(slug=large),
        ),
        Case(
            "API evidence list, two facets, page_size=100",
            f"/api/v1/evidence/?{two}&page_size=100",
            floor_sql.evidence_page(facets=TWO_FACETS, limit=100),
        ),
        *(
            search_case("API search claims ?q={}, page_size=100", "/api/v1/claims/", w)
            for w in (COMMON_WORD, SEARCH_WORD, RARE_WORD)
        ),
        Case(
            "API search claims ?q=% (symbols only: a 400)",
            "/api/v1/claims/?q=%25",
            ("SELECT 1", []),
            status=400,
        ),
        # The pages' floors are their claims part only.
        *(
            search_case("page /search/?q={}", "/search/", w, limit=20)
            for w in (COMMON_WORD, SEARCH_WORD, RARE_WORD)
        ),
        search_case("page /claims/?q={}", "/claims/", COMMON_WORD, limit=50),
        Case(
            "page /claims/ with two facets",
            f"/claims/?{browse}",
            floor_sql.browse_page(
                claim=BROWSE_CLAIM, evidence=BROWSE_EVIDENCE, limit=50
            ),
        ),
        Case(
            f"page /claims/<slug>/, median ({n_median} evidence)",
            f"/claims/{median}/",
            floor_sql.claim_page(slug=median),
        ),
        Case(
            f"page /claims/<slug>/, largest ({n_large} evidence)",
            f"/claims/{large}/",
            floor_sql.claim_page(slug=large),
        ),
    ]


def search_case(name: str, path: str, word: tuple[str, str], limit=100) -> Case:
    """A search for `word` (the word, its tsquery) on `path`, with the claims
    floor listing the same `limit` claims."""
    text, tsquery = word
    url = f"{path}?q={text}" + ("&page_size=100" if path.startswith("/api/") else "")
    first = word == COMMON_WORD
    floor = floor_sql.claims_search(tsquery=tsquery, limit=limit, first=first)
    return Case(name.format(text), url, floor)


def fetch(client: Client, url: str, status: int = 200) -> bytes:
    response = client.get(url)
    if response.status_code != status:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def floor(sql: str, params) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchone()
    return time.perf_counter() - start


def comparable(data):
    """JSON data without what the two ways of writing it may differ in: the
    page links (the floor writes none) and how a time is written (UTC as "Z",
    trailing zeros of the microseconds)."""
    if isinstance(data, dict):
        return {
            k: comparable(v) for k, v in data.items() if k not in ("next", "previous")
        }
    if isinstance(data, list):
        return [comparable(v) for v in data]
    if isinstance(data, str) and re.match(r"\d{4}-\d\d-\d\dT", data):
        return datetime.datetime.fromisoformat(data.replace("Z", "+00:00"))
    return data


def check_floor(case: Case, body: bytes) -> None:
    """An API page's floor must give the same data, or it is no floor."""
    if not case.url.startswith("/api/") or case.status != 200:
        return
    with connection.cursor() as cursor:
        cursor.execute(*case.floor)
        produced = json.loads(cursor.fetchone()[0])
    if comparable(json.loads(body)) != comparable(produced):
        raise SystemExit(f"{case.name}: the floor's data differs from the API's")


def run_case(
    client: Client, case: Case, requests: int, max_seconds: float, cold_requests: int
):
    check_floor(case, fetch(client, case.url, case.status))
    for _ in range(3):  # warm caches, connections and the plans
        fetch(client, case.url, case.status)
        floor(*case.floor)
    queries: list[str] = []
    cache.clear()
    with connection.execute_wrapper(_Recorder(queries)):
        body = fetch(client, case.url, case.status)
    warm_queries: list[str] = []
    with connection.execute_wrapper(_Recorder(warm_queries)):
        fetch(client, case.url, case.status)
    times, floor_times = [], []
    deadline = time.monotonic() + max_seconds
    while len(times) < requests and time.monotonic() < deadline:
        start = time.perf_counter()
        fetch(client, case.url, case.status)
        times.append(time.perf_counter() - start)
        floor_times.append(floor(*case.floor))
    cold = []
    for _ in range(cold_requests):
        cache.clear()
        start = time.perf_counter()
        fetch(client, case.url, case.status)
        cold.append(time.perf_counter() - start)
    counts = f"{len(warm_queries)} / {len(queries)}"
    return Result(case, times, floor_times, counts, len(body), cold)


def csv_export(client: Client) -> None:
    year = csv_year_min()
    url = f"/api/v1/evidence/?format=csv&year_min={year}"
    sql = floor_sql.evidence_csv(year_min=year)
    times, floors = [], []
    for _ in range(CSV_RUNS):
        start = time.perf_counter()
        body = fetch(client, url)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, _Sink())
        floors.append(time.perf_counter() - start)
    rows = body.count(b"\n") - 1  # approximate: a finding may hold a newline
    tracemalloc.start()
    response = client.get(url)
    streamed = sum(len(chunk) for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    best, floor_best = min(times), min(floors)
    print(
        f"\nCSV export {url}: ~{rows:,} rows, {streamed / 2**20:.1f} MiB; "
        f"best of {CSV_RUNS}: {best:.2f} s (median {statistics.median(times):.2f} s), "
        f"floor (COPY ... TO STDOUT) {floor_best:.2f} s, "
        f"ratio {best / floor_best:.2f}; "
        f"peak Python memory while streaming {peak / 2**20:.1f} MiB"
    )


class _Recorder:
    """Counts the SQL statements a request runs (the handler resets
    connection.queries when a request starts, so CaptureQueriesContext can't)."""

    def __init__(self, statements: list[str]):
        self.statements = statements

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


class _Sink:
    def write(self, data) -> int:
        return len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120,
        help="stop a case early after this long (a slow page); the table says "
        "how many requests were timed",
    )
    parser.add_argument(
        "--cold-requests",
        type=int,
        default=40,
        help="requests timed with the cache emptied before each (the cost of a "
        "first read after a change to the data)",
    )
    parser.add_argument("--only", nargs="*", help="cases whose name has a word")
    parser.add_argument("--no-csv", action="store_true")
    args = parser.parse_args()
    prepare()
    client = Client()
    print(
        "| case | requests | p50 ms | p95 ms | SQL queries (cached / afresh) | "
        "floor p50 ms | "
        "floor p95 ms | ratio p50/floor p50 | cold p50 ms | cold p95 ms | "
        "cold ratio | body |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in cases():
        if args.only and not any(word in case.name for word in args.only):
            continue
        result = run_case(
            client, case, args.requests, args.max_seconds, args.cold_requests
        )
        print(result.row(), flush=True)
    if not args.no_csv:
        csv_export(client)
    print(f"\nload average: {os.getloadavg()[0]:.2f}; reproduce: {COMMAND}")


if __name__ == "__main__":
    main()
