"""A redis-server of a test's own on 127.0.0.1, to stop and start mid-test."""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """`redis-server --save ''` on a free port, data in memory, files in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.pidfile = folder / "redis.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        options += ["--appendonly", "no", "--daemonize", "yes"]
        options += ["--dir", str(self.folder), "--pidfile", str(self.pidfile)]
        options += ["--logfile", str(self.folder / "redis.log")]
        subprocess.run(["redis-server", *options], check=True)
        self._wait(up=True)
        return self

    def stop(self) -> None:
        """Stop this server (by the pid it wrote), as a crash would: no save."""
        if self.pidfile.exists():
            os.kill(int(self.pidfile.read_text()), signal.SIGKILL)
            self.pidfile.unlink()
        self._wait(up=False)

    def _wait(self, *, up: bool) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                listening = True
            except OSError:
                listening = False
            if listening == up:
                return
            time.sleep(0.05)
        change = "start" if up else "stop"
        raise RuntimeError(f"redis-server on {self.port} did not {change}")


def redis_server_or_skip(folder: Path) -> RedisServer:
    """A started server; without redis-server, a skip (a failure in CI)."""
    if not shutil.which("redis-server"):
        message = "redis-server is missing; .ci/run starts the machine's Redis"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return RedisServer(folder).start()
