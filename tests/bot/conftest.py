"""Fixtures of the edge's tests: a redis-server of the test's own, server processes of the real CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.bot.test_cli import env, free_port, wait_until_serving
from tests.bot.test_faults import RedisInstance


@pytest.fixture
def own_redis() -> Iterator[RedisInstance]:
    """A redis-server the test may stop and start (never the shared one)."""
    r = RedisInstance()
    r.start()
    yield r
    r.stop()


@contextmanager
def server_processes(cfg: Path, cwd: Path, count: int = 2) -> Iterator[list[str]]:
    """`count` `mingbai serve` processes on one configuration, each answering /healthz; stopped cleanly after."""
    ports = [free_port() for _ in range(count)]
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "--config", str(cfg), "serve", "--port", str(p)],
                              cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for p in ports]
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_until_serving(port, proc)
        yield [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err[-2000:]
