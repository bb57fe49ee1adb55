"""A database connection left open is reported, and does not hang the run.

aiosqlite runs each connection on a thread that is not a daemon: one never closed and still referenced
keeps the interpreter from exiting after the last test (a clean-clone run once hung so after "952
passed", and did not in two runs since). Each such thread is noted with the test that started it; at the
end of the session any still running are listed on stderr and the process exits with the tests' own
status without waiting for them. The server's own shutdown is tested apart (tests/bot/test_sigterm.py:
a `mingbai serve` process ends within its bound).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import pytest

AIOSQLITE = "_connection_worker_thread"  # the name aiosqlite's connection threads carry
JOIN_SECONDS = 2.0  # for each thread still running after the last test: it may be closing
_started_in: dict[int, str] = {}
_start = threading.Thread.start


def _noting_start(self: threading.Thread, *args: Any, **kwargs: Any) -> None:
    if AIOSQLITE in self.name:
        _started_in[id(self)] = os.environ.get("PYTEST_CURRENT_TEST", "(outside a test)")
    _start(self, *args, **kwargs)


def install() -> None:
    """Note where every aiosqlite connection thread is started from now on."""
    threading.Thread.start = _noting_start  # type: ignore[method-assign]


def _strays() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if AIOSQLITE in t.name and t.is_alive()]


def check(session: pytest.Session) -> None:
    """After the last test: wait a little for threads that are ending, then list the rest."""
    for thread in _strays():
        thread.join(timeout=JOIN_SECONDS)
    strays = _strays()
    if not strays:
        return
    lines = [f"  {t.name} started in {_started_in.get(id(t), '(unknown)')}" for t in strays]
    sys.stderr.write("\ndatabase connections never closed (their threads would keep the run from ending):\n"
                     + "\n".join(lines) + "\n")
    session.config.stash[_EXIT] = int(session.exitstatus)


_EXIT = pytest.StashKey[int]()


def exit_without_waiting(config: pytest.Config) -> None:
    """Leave now when stray threads were found: the interpreter would wait for them for ever."""
    code = config.stash.get(_EXIT, None)
    if code is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
