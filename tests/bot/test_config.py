"""Configuration: typed settings, environment overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings, parse_settings

BASE = {"wechat": {"token": "t0ken"}, "security": {"secret_key": "0123456789abcdef"}}


def test_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINGBAI_SECURITY_SECRET_KEY", "from-the-environment-123")
    monkeypatch.setenv("MINGBAI_WECHAT_AES_KEY", "a" * 43)
    s = load_settings(Path(__file__).parents[2] / "config.example.toml")
    assert s.wechat.mode == "safe" and s.town.name == "江湾镇"
    assert s.security.secret_key == "from-the-environment-123"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"server": {"port": "eighty"}}, "[server] port: expected a whole number"),
        ({"server": {"port": 70000}}, "[server] port: must be between 1 and 65535"),
        ({"server": {"prot": 1}}, "[server] prot: unknown key"),
        ({"sever": {}}, "[sever]: unknown section"),
        ({"database": {"url": "mysql://x"}}, "[database] url: must start with sqlite:// or postgres://"),
        ({"wechat": {"token": "t", "mode": "secure"}}, "[wechat] mode: must be plain, compat or safe"),
        ({"wechat": {"token": "t", "mode": "safe"}}, "[wechat] aes_key: mode safe needs the 43-character"),
        ({"wechat": {"token": ""}}, "[wechat] token: must not be empty"),
        ({"redis": {"url": "http://x"}}, "[redis] url: must be empty or start with redis://"),
        ({"redis": {"batch_window_ms": 250}}, "[redis] batch_window_ms: must be between 0 and 20"),
        ({"redis": {"batch_window_ms": "soon"}}, "[redis] batch_window_ms:"),
        ({"security": {"secret_key": "short"}}, "[security] secret_key: must be at least 16"),
    ],
)
def test_wrong_values_name_the_key(data: dict, message: str) -> None:
    merged = {**BASE, **data}
    with pytest.raises(ConfigError) as err:
        parse_settings(merged)
    assert message in str(err.value)


def test_environment_overrides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINGBAI_WECHAT_SECRET", "env-secret")
    monkeypatch.setenv("MINGBAI_SERVER_PORT", "9090")
    s = parse_settings(BASE)
    assert s.wechat.secret == "env-secret" and s.server.port == 9090


def test_cli_reports_config_errors_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[server]\nport = "x"\n[wechat]\ntoken = "t"\n', encoding="utf-8")
    assert main(["--config", str(bad), "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "[server] port" in err and "Traceback" not in err
    broken = tmp_path / "broken.toml"
    broken.write_text("[server\n", encoding="utf-8")
    assert main(["--config", str(broken), "db", "upgrade"]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "missing.toml"), "db", "upgrade"]) == 2
    assert "no such configuration file" in capsys.readouterr().err


def test_embedded_default_keeps_its_data_in_one_place_whatever_the_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import CHECKOUT, data_home, embedded_default_settings

    monkeypatch.delenv("MINGBAI_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert data_home() == CHECKOUT / "var"  # run from this checkout: its var/, not the current folder's
    home = tmp_path / "home"
    monkeypatch.setenv("MINGBAI_HOME", str(home))
    first = embedded_default_settings()
    monkeypatch.chdir(Path(CHECKOUT))
    second = embedded_default_settings()
    assert first.database.url == second.database.url == f"sqlite://{home / 'mingbai.sqlite3'}"
    assert first.wechat.token == second.wechat.token  # the chat client and the server agree on the token
    assert not (tmp_path / "var").exists()
