"""The newcomer's tools as a user runs them: serve (embedded default), chat, ask, db upgrade."""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.eventually import eventually_blocking

MINGBAI = [sys.executable, "-m", "bot"]
ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env(home: Path | None = None) -> dict[str, str]:
    """The environment of a mingbai process; `home` is where the embedded default keeps its data."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("MINGBAI_")}
    e["PYTHONPATH"] = str(ROOT)
    if home is not None:
        e["MINGBAI_HOME"] = str(home)
    return e


def wait_until_serving(port: int, proc: subprocess.Popen[str] | None = None, timeout: float = 60) -> None:
    """Until the server on `port` answers /healthz with 200; fails at once if its process exits."""

    def serving() -> bool:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    eventually_blocking(serving, timeout, interval=0.1)


@pytest.fixture
def embedded_server(tmp_path: Path):
    """`mingbai serve` on the embedded default, in a fresh directory (as after a fresh clone)."""
    port = free_port()
    proc = subprocess.Popen(
        [*MINGBAI, "serve", "--port", str(port)], cwd=tmp_path, env=env(tmp_path / "var"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_until_serving(port, proc)
    except AssertionError:
        proc.kill()
        raise
    yield port, tmp_path
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 0, err
    assert "development WeChat token" in err


def test_chat_against_the_embedded_server_answers_help(embedded_server) -> None:
    port, cwd = embedded_server
    assert (cwd / "var" / "mingbai.sqlite3").exists()  # migrated on first start
    out = subprocess.run(
        [*MINGBAI, "chat", "--url", f"http://127.0.0.1:{port}/wechat"], cwd=cwd, env=env(cwd / "var"),
        input="帮助\n", capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "明白> " in out.stdout and "法治服务" in out.stdout


def test_chat_reports_a_server_that_is_not_running(tmp_path: Path) -> None:
    out = subprocess.run(
        [*MINGBAI, "chat", "--url", f"http://127.0.0.1:{free_port()}/wechat"], cwd=tmp_path, env=env(tmp_path / "var"),
        input="帮助\n", capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 1 and "make run" in out.stderr


def test_ask_json_reads_questions_from_stdin(tmp_path: Path) -> None:
    out = subprocess.run(
        [*MINGBAI, "ask", "--json", "-"], cwd=tmp_path, env=env(tmp_path / "var"),
        input="帮助\n\n菜单\n", capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["q"] for r in rows] == ["帮助", "菜单"]
    assert all("法治服务" in r["reply"] for r in rows)


def test_db_upgrade_on_a_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite://{tmp_path}/x/m.sqlite3"\n[wechat]\ntoken = "t"\n'
        '[security]\nsecret_key = "0123456789abcdef"\n', encoding="utf-8",
    )
    for _ in range(2):  # idempotent
        out = subprocess.run([*MINGBAI, "--config", str(cfg), "db", "upgrade"], cwd=tmp_path, env=env(tmp_path / "var"),
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    import sqlite3

    tables = {r[0] for r in sqlite3.connect(tmp_path / "x" / "m.sqlite3").execute("select name from sqlite_master")}
    assert {"town", "village", "user"} <= tables


def test_kb_eval_command_takes_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["kb", "eval", "--holdout", "--set", "judge", "--misses"]) == 0
    out = capsys.readouterr().out
    assert "holdout.toml:" in out and "judge.toml:" in out and "devset.toml" not in out
    assert "direct answers right" in out and "first reply right by kind" in out and "misses:" in out


def test_ask_takes_a_question_typed_as_several_words(tmp_path: Path) -> None:
    out = subprocess.run([*MINGBAI, "ask", "我爹走了没留遗嘱", "老房子咋分"], cwd=tmp_path, env=env(tmp_path / "var"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "《民法典》第" in out.stdout  # answered as one question, with its article


def test_help_lists_every_command_in_chinese_without_loading_them(tmp_path: Path) -> None:
    probe = ("import sys, contextlib, io\nfrom bot.cli import main\nout = io.StringIO()\n"
             "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n    main(['--help'])\n"
             "print(out.getvalue())\n"
             "print('LOADED' if 'jieba' in sys.modules or 'tortoise' in sys.modules else 'LIGHT')")
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env(tmp_path / "var"),
                         capture_output=True, text=True, timeout=60)
    from bot.cli import COMMANDS

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("LIGHT")  # nothing heavy imported just to show the help
    for name, (_, text) in COMMANDS.items():
        assert name in run.stdout and text in run.stdout


def test_every_listed_command_is_registered_by_its_module() -> None:
    import importlib

    from bot.cli import COMMAND_MODULES, COMMANDS

    class Recorder:
        """Stands for argparse's subparsers: records the names a module registers."""

        def __init__(self) -> None:
            self.names: list[str] = []

        def add_parser(self, name: str, **kwargs: object) -> argparse.ArgumentParser:
            self.names.append(name)
            return argparse.ArgumentParser(prog=name)

    for module in COMMAND_MODULES:
        recorder = Recorder()
        importlib.import_module(module).add_parser(recorder)
        assert sorted(recorder.names) == sorted(n for n, (m, _) in COMMANDS.items() if m == module), module


# What may stay in Latin letters in a help text: file formats, protocols and names a user types as they are.
LATIN_ALLOWED = {"TOML", "CSV", "XLSX", "JSON", "MINGBAI_CONFIG", "SO_REUSEPORT", "YYYY", "MM", "DD", "FAQ"}
ARGPARSE_ENGLISH = ("usage:", "options:", "positional arguments", "optional arguments", "show this help",
                    "message and exit")


def _help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    from bot.cli import build_parser

    with pytest.raises(SystemExit) as done:
        build_parser(argv).parse_args([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _subcommands(text: str) -> list[str]:
    """The subcommands a help lists under 子命令 (as a reader finds them)."""
    lines = text.splitlines()
    if "  子命令" not in lines:
        return []
    out = []
    for line in lines[lines.index("  子命令") + 1:]:
        if not line.startswith("    "):
            break
        if not line.startswith("     "):  # deeper lines continue a long description
            out.append(line.split()[0])
    return out


def test_every_help_is_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import COMMANDS

    helps = {"mingbai": _help_of([], capsys)}
    for name in COMMANDS:
        helps[f"mingbai {name}"] = text = _help_of([name], capsys)
        for sub in _subcommands(text):
            helps[f"mingbai {name} {sub}"] = _help_of([name, sub], capsys)
    assert len(helps) == 39  # every command and subcommand was reached
    for where, text in helps.items():
        assert "用法：" in text and "显示本帮助并退出" in text, where
        assert not [p for p in ARGPARSE_ENGLISH if p in text], where
        prose = re.sub(r"mingbai( [a-z][\w-]*)*|--?[\w-]+|\{[^}]*\}|\[\w+\] \w+", " ", text)  # names and values
        assert not re.findall(r"[A-Za-z]{2,} [A-Za-z]{2,}", prose), (where, prose)  # no English sentences
        shouted = set(re.findall(r"\b[A-Z][A-Z_]{2,}\b", prose)) - LATIN_ALLOWED
        assert not shouted, (where, shouted)  # no English placeholders such as YEAR or OUTPUT


def test_a_wrong_option_is_told_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import build_parser

    for argv, told in ((["report", "--year", "abc"], "参数 --year 的值 'abc' 格式不对"),
                       (["activities"], "缺少必填的参数：子命令"),
                       (["report", "--nonsense"], "无法识别的参数：--nonsense")):
        with pytest.raises(SystemExit) as done:
            build_parser(argv).parse_args(argv)
        err = capsys.readouterr().err
        assert done.value.code == 2 and err.startswith("用法：") and told in err, err
