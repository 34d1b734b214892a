"""The lock files: every dependency pinned and hashed, the audit runs offline."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ["requirements.txt", "requirements-dev.txt"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)")


def locked(name: str) -> dict[str, list[str]]:
    """Each requirement of a lock file (lower-case name==version) -> its hashes."""
    entries: dict[str, list[str]] = {}
    for entry in (ROOT / name).read_text().replace("\\\n", " ").splitlines():
        if entry.strip() and not entry.lstrip().startswith("#"):
            requirement = entry.split()[0].lower().replace("_", "-")
            entries[requirement] = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
    return entries


def direct(name: str) -> set[str]:
    """The pinned direct requirements of a .in file, as name==version."""
    pins = (PIN.match(line) for line in (ROOT / name).read_text().splitlines())
    return {f"{m[1].lower().replace('_', '-')}=={m[2]}" for m in pins if m}


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_pinned_with_its_hashes(lock):
    entries = locked(lock)

    assert len(entries) > 20
    for requirement, hashes in entries.items():
        assert "==" in requirement, requirement
        assert hashes, requirement


@pytest.mark.parametrize(
    ("source", "lock"),
    [("requirements.in", "requirements.txt"), ("requirements-dev.in", LOCKS[1])],
)
def test_the_lock_holds_every_direct_requirement_at_its_pinned_version(source, lock):
    wanted = direct(source) | (direct("requirements.in") if "dev" in source else set())

    assert wanted <= locked(lock).keys()


def test_make_run_installs_the_runtime_lock_only_and_checks_its_hashes():
    plan = subprocess.run(
        ["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True
    ).stdout

    assert "--require-hashes -r requirements.txt" in plan
    assert "requirements-dev.txt" not in plan


def test_the_audit_says_it_skipped_pip_audit_and_why_when_osv_is_unreachable():
    result = subprocess.run(
        [str(ROOT / ".ci" / "audit")],
        cwd=ROOT,
        env=os.environ | {"OSV_URL": f"http://127.0.0.1:{free_port()}/v1/query"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No broken requirements found" in result.stdout
    assert "pip-audit SKIPPED" in result.stdout
    assert "unreachable" in result.stdout
