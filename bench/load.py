"""Benchmark: the web tier under load, gunicorn driven by wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \\
        .venv/bin/python bench/load.py [--duration 30] [--connections 64] [--runs 2]

Starts gunicorn (2 sync workers) with production settings: DEBUG off, a generated
secret key, static files collected into a temporary STATIC_ROOT for WhiteNoise's
manifest, and throttling lifted so that it does not cap the figures (with
--throttle, the production rates apply: most API and page requests then get a 429, which
is expected and counted apart, and only other errors fail the run). It serves
the database DATABASE_URL names (the default SQLite file when unset). wrk then
drives each URL for --duration seconds over --connections connections: the API's
claims list (100 a page), one claim through the API, the claims page and that
claim's page. A warm-up of --warmup seconds a URL comes first, so each worker
has filled its caches (the claims page's facets take seconds to compute cold at
scale) and the runs measure the steady state. The whole set then runs --runs
times in a row (2 by default); the memory of gunicorn's master and workers
(VmRSS) is read before the first run and after every URL, and its growth from the
end of run 1 to the end of the last run shows whether the workers leak.

Exits 1 if any request failed (a socket error, a timeout or a status of 400 or
more, but for a 429 with --throttle), a URL got no answer at all, a worker was
replaced, or memory grew more than --max-growth-mb or --max-growth-pct. Needs
`wrk` (Debian's package).
"""

import argparse
import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("wrk_report.lua")
# Name and path; {slug} is a claim's, read from the API's first page.
TARGETS = (
    ("API claims list", "/api/v1/claims/?page_size=100"),
    ("API claim", "/api/v1/claims/{slug}/"),
    ("claims page", "/claims/"),
    ("claim page", "/claims/{slug}/"),
)
UNTHROTTLED = "1000000/s"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5, help="seconds per URL")
    parser.add_argument("--timeout", type=int, default=10, help="wrk's, seconds")
    parser.add_argument("--claim", help="the claim slug to load (default: the first)")
    parser.add_argument("--max-growth-mb", type=float, default=20.0)
    parser.add_argument("--max-growth-pct", type=float, default=10.0)
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument(
        "--throttle", action="store_true", help="keep the API's production rates"
    )
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2: memory growth compares two runs")
    return args


def production_env(static_root: Path, *, throttle: bool = False) -> dict[str, str]:
    """The environment of a production web process, on this machine's loopback."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    if not throttle:
        env |= {"API_THROTTLE_ANON": UNTHROTTLED, "API_THROTTLE_USER": UNTHROTTLED}
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """Collect static files, start gunicorn, return it and its base URL once up."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200 and len(gunicorn_pids(server.pid)) > workers:
                    return server, base
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def gunicorn_pids(master: int) -> list[int]:
    """The master and its workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def rss_mb(master: int) -> float:
    """Resident memory of gunicorn's master and workers together."""
    return sum(status_kb(pid, "VmRSS") for pid in gunicorn_pids(master)) / 1024


def fetch(url: str, timeout: float = 60) -> tuple[int, bytes]:
    """One GET: status and body (error statuses included)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def targets(base: str, claim: str | None) -> list[tuple[str, str]]:
    """The URLs to load, each checked once: a redirect or error would skew wrk."""
    if claim is None:
        status, body = fetch(f"{base}/api/v1/claims/?page_size=1")
        if status != 200:
            raise SystemExit(f"the claims API answered {status}: {body[:500]!r}")
        results = json.loads(body)["results"]
        if not results:
            raise SystemExit("the database holds no claims; run load_review first")
        claim = results[0]["slug"]
    urls = [(name, path.format(slug=claim)) for name, path in TARGETS]
    for name, path in urls:
        status, body = fetch(base + path)
        if status != 200:
            raise SystemExit(f"{name} {path} answered {status}: {body[:500]!r}")
    return urls


def wrk(url: str, args: argparse.Namespace, duration: int | None = None) -> dict:
    """Load one URL; wrk's figures, latencies in ms."""
    command = ["wrk", f"-t{min(args.threads, args.connections)}"]
    command += [f"-c{args.connections}", f"-d{duration or args.duration}s"]
    command += [f"--timeout={args.timeout}s", "-s", str(LUA), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(row for row in output.splitlines() if row.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "requests": raw["requests"],
        "requests_per_s": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "socket_errors": sum(raw[kind] for kind in ("connect", "read", "write")),
        "timeouts": raw["timeout"],
        "status_errors": raw["status"],
        "status_429": raw["status_429"],
        "status_5xx": raw["status_5xx"],
        "bytes_per_response": raw["bytes"] / max(raw["requests"], 1),
    }


def drain(base: str) -> None:
    """Wait until gunicorn has answered what wrk left queued when it stopped.

    The workers take queued connections in turn, so a request sent now is
    answered after them; else the next URL's figures would pay for this one's.
    """
    fetch(f"{base}/healthz", timeout=300)


def warm_up(base: str, urls: list, args: argparse.Namespace) -> None:
    for _name, path in urls:
        wrk(base + path, args, duration=args.warmup)
        drain(base)


def load_run(base: str, urls: list, master: int, args: argparse.Namespace) -> dict:
    """Every URL once under wrk, with the workers' memory after each."""
    run = {"rss_mb_before": rss_mb(master), "urls": []}
    for name, path in urls:
        figures = wrk(base + path, args)
        drain(base)
        run["urls"].append(
            {"name": name, "path": path, **figures} | {"rss_mb_after": rss_mb(master)}
        )
    run["rss_mb_after"] = run["urls"][-1]["rss_mb_after"]
    return run


def memory_growth(runs: list[dict]) -> dict:
    first, last = runs[0]["rss_mb_after"], runs[-1]["rss_mb_after"]
    return {
        "run1_end_mb": first,
        "last_run_end_mb": last,
        "growth_mb": last - first,
        "growth_pct": 100 * (last - first) / first,
    }


def failures(report: dict, args: argparse.Namespace) -> list[str]:
    """What makes the run fail: any error, a replaced worker, memory growth."""
    found = []
    for number, run in enumerate(report["runs"], start=1):
        for url in run["urls"]:
            expected = url["status_429"] if args.throttle else 0
            errors = url["socket_errors"] + url["timeouts"] + url["status_errors"]
            errors -= expected
            if errors:
                found.append(f"run {number}: {url['name']}: {errors} failed requests")
            if not url["requests"]:
                found.append(f"run {number}: {url['name']}: no response at all")
    if report["pids_before"] != report["pids_after"]:
        found.append("a gunicorn worker was replaced during the runs")
    growth = report["memory"]
    if growth["growth_mb"] > args.max_growth_mb:
        found.append(f"memory grew {growth['growth_mb']:.1f} MB between runs")
    if growth["growth_pct"] > args.max_growth_pct:
        found.append(f"memory grew {growth['growth_pct']:.1f}% between runs")
    return found


def reproduce_command(argv: list[str]) -> str:
    database = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(database)
    if parts.password:  # never print a password
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        database = urlunsplit(parts._replace(netloc=netloc))
    prefix = f"DATABASE_URL={shlex.quote(database)} " if database else ""
    return f"{prefix}.venv/bin/python bench/load.py {shlex.join(argv)}".rstrip()


def print_report(report: dict) -> None:
    print(f"command: {report['command']}")
    print(f"database: {report['database']}; {report['setup']}")
    print(
        f"load average (1 min) before {report['load_before']:.2f}, after "
        f"{report['load_after']:.2f}"
    )
    header = f"{'URL':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
    header += f"{'socket err':>10} {'timeouts':>8} {'>=400':>6} {'429':>6} "
    header += f"{'5xx':>4} {'RSS MB':>7}"
    for number, run in enumerate(report["runs"], start=1):
        print(f"\nrun {number}: gunicorn RSS before {run['rss_mb_before']:.1f} MB")
        print(header)
        for url in run["urls"]:
            print(
                f"{url['path'][:44]:<44} {url['requests_per_s']:>8.1f} "
                f"{url['p50_ms']:>8.1f} {url['p99_ms']:>8.1f} "
                f"{url['socket_errors']:>10} {url['timeouts']:>8} "
                f"{url['status_errors']:>6} {url['status_429']:>6} "
                f"{url['status_5xx']:>4} {url['rss_mb_after']:>7.1f}"
            )
    memory = report["memory"]
    print(
        f"\ngunicorn RSS after start {report['rss_mb_started']:.1f} MB, after "
        f"warm-up {report['rss_mb_warm']:.1f} MB"
    )
    print(
        f"gunicorn RSS (master + workers): end of run 1 "
        f"{memory['run1_end_mb']:.1f} MB, end of run {len(report['runs'])} "
        f"{memory['last_run_end_mb']:.1f} MB; growth {memory['growth_mb']:+.1f} MB "
        f"({memory['growth_pct']:+.1f}%)"
    )
    for failure in report["failures"]:
        print(f"FAIL: {failure}")
    print("result: " + ("FAIL" if report["failures"] else "ok, no errors"))


def main(argv: list[str]) -> int:
    args = arguments(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        env = production_env(Path(tmp) / "static", throttle=args.throttle)
        server, base = start_gunicorn(env, args.workers, Path(tmp) / "gunicorn.log")
        try:
            urls = targets(base, args.claim)
            rss_started = rss_mb(server.pid)
            if args.warmup:
                warm_up(base, urls, args)
            report = {
                "command": reproduce_command(argv),
                "database": os.environ.get("DATABASE_URL", "default SQLite"),
                "setup": f"gunicorn {args.workers} workers, wrk {args.connections} "
                f"connections, {args.duration} s per URL after a {args.warmup} s "
                f"warm-up, API throttling {'on' if args.throttle else 'lifted'}, "
                f"cache {os.environ.get('CACHE_URL') or 'in each process'}",
                "load_before": os.getloadavg()[0],
                "pids_before": gunicorn_pids(server.pid),
                "rss_mb_started": rss_started,
                "rss_mb_warm": rss_mb(server.pid),
            }
            report["runs"] = [
                load_run(base, urls, server.pid, args) for _ in range(args.runs)
            ]
            report["pids_after"] = gunicorn_pids(server.pid)
            report["load_after"] = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
    report["memory"] = memory_growth(report["runs"])
    report["failures"] = failures(report, args)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
