"""Fixtures of the edge's tests: a redis-server of the test's own, server processes of the real CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


class _HeldClock:
    """The `time` module as one module sees it, with `time()` held at one instant (the rest is the real module)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture
def one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate counts are per clock minute: the counters' clock stands still for the test, so that a minute
    turning between two messages cannot start a fresh count and let a message through."""
    clock = _HeldClock()
    monkeypatch.setattr("bot.redis_store.time", clock)  # RedisRateCounter
    monkeypatch.setattr("handlers.core.middlewares.time", clock)  # MemoryRateCounter, while Redis is down


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
