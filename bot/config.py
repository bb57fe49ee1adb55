"""Typed settings from a TOML file, with secrets overridable from the environment."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "MINGBAI_"
CHECKOUT = Path(__file__).resolve().parents[1]  # the source tree, when installed from a checkout (pip -e)


def data_home() -> Path:
    """Where the embedded default keeps its data, whatever the current directory.

    MINGBAI_HOME when set; else the checkout's var/ when mingbai runs from a source checkout (`make run`,
    `pip install -e .`: the data sits beside the code one works on); else the per-user data folder
    ($XDG_DATA_HOME/mingbai, by default ~/.local/share/mingbai) for an installed package.
    """
    if os.environ.get("MINGBAI_HOME"):
        return Path(os.environ["MINGBAI_HOME"]).expanduser()
    if (CHECKOUT / "pyproject.toml").exists() and (CHECKOUT / "bot").is_dir():
        return CHECKOUT / "var"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mingbai"


class ConfigError(Exception):
    """A configuration problem, phrased for the person who wrote the file."""


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 64 * 1024
    reply_budget_seconds: float = 4.0
    public_url: str = ""
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: "127.0.0.1, ::1, 10.0.0.0/8" (bot/proxy.py).
    trusted_proxies: str = ""
    # A request body not fully received this long after its headers: the connection is closed (bot/slow_clients.py).
    body_timeout_seconds: float = 20.0


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite://var/mingbai.sqlite3"


@dataclass(frozen=True)
class RedisSettings:
    url: str = ""  # empty: the in-process stand-in (fakeredis)
    # How long the callback's Redis commands wait for other messages' commands to share a round trip.
    batch_window_ms: float = 2.0


@dataclass(frozen=True)
class WeChatSettings:
    token: str = ""
    appid: str = "wx0000000000000000"
    secret: str = ""
    aes_key: str = ""
    mode: str = "plain"  # plain / compat / safe
    api_base_url: str = "https://api.weixin.qq.com"
    api_timeout_seconds: float = 5.0
    timestamp_tolerance_seconds: int = 300
    # The local stand-in for the WeChat API (bot/wechat/fake.py) mounted at /fake-wechat; `mingbai serve`
    # turns it on when no real secret is configured.
    fake_api: bool = False
    menu_file: str = ""  # the 公众号 menu (TOML); empty: bot/wechat/menu.toml


@dataclass(frozen=True)
class MiniProgramSettings:
    """The mini-program: an app of its own, with its own AppID and secret (not the 公众号's)."""

    appid: str = ""
    secret: str = ""
    api_base_url: str = ""  # empty: [wechat] api_base_url


@dataclass(frozen=True)
class TownSettings:
    name: str = "江湾镇"
    studio_name: str = "老洪调解工作室"
    case_prefix: str = "江湾"


@dataclass(frozen=True)
class LimitSettings:
    messages_per_minute: int = 20
    form_ttl_seconds: int = 1800


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str = ""  # keys the anonymised question log and sessions


@dataclass(frozen=True)
class OutreachSettings:
    forms: str = "法治公开课,入户走访,小板凳会议,新时代文明实践,送法下乡,以案释法,法律咨询,普法讲座,警示教育"
    coverage_ratio: int = 10  # households per 骨干 法律明白人 (a provincial target)
    household_share: float = 0.5  # share of households covered by helpers (联系户), e.g. Jiangxi's 50%
    helpers_per_village: int = 3  # the national floor per 行政村
    invite_ttl_days: int = 7
    edit_window_days: int = 7  # an author may correct or withdraw an entry this long
    photo_max_bytes: int = 2 * 1024 * 1024
    api_session_ttl_seconds: int = 7 * 24 * 3600
    screening_cycle_days: int = 15  # a village screens for disputes about twice a month (矛盾纠纷排查)
    form_words: str = ""  # more everyday names of forms for free-words reports: "放映=送法下乡,夜校=普法讲座"

    @property
    def form_list(self) -> tuple[str, ...]:
        """The activity forms offered, in order."""
        return tuple(f.strip() for f in self.forms.replace("，", ",").split(",") if f.strip())

    @property
    def form_word_map(self) -> dict[str, tuple[str, ...]]:
        """form_words as form -> the words that name it."""
        out: dict[str, tuple[str, ...]] = {}
        for pair in self.form_words.replace("，", ",").split(","):
            word, _, form = pair.partition("=")
            if word.strip() and form.strip():
                out[form.strip()] = (*out.get(form.strip(), ()), word.strip())
        return out


@dataclass(frozen=True)
class PointsSettings:
    """The yearly 积分 of a 法律明白人: points per piece of work."""

    activity: int = 2  # an outreach activity logged
    screening: int = 1  # a 矛盾纠纷排查 logged
    dispute_found: int = 1  # each dispute found or reported
    referral: int = 2  # a person referred to legal aid
    training: int = 1  # a training attended


@dataclass(frozen=True)
class MediationSettings:
    due_days: int = 30  # a case should be closed within this many days of acceptance (若干规定 §33)
    followup_days: int = 30  # a follow-up visit is due this many days after an agreement
    remind_before_days: int = 3  # remind the mediators this many days before a deadline
    scan_interval_seconds: int = 600  # how often the reminder scan runs
    quiet_start: str = "21:30"  # no notifications to villagers or staff from this time ...
    quiet_end: str = "07:30"  # ... until this time (Asia/Shanghai); "" on both turns quiet hours off
    notify_template_id: str = ""  # template message for notifications outside the 48-hour window
    extra_case_types: str = ""  # a county's own types, each with its statistics category: "继承=婚姻家庭,村务管理=其他"
    referrers: str = "法院,公安,信访,政府"  # who may refer a case (接受委托移送)


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    wechat: WeChatSettings = field(default_factory=WeChatSettings)
    miniprogram: MiniProgramSettings = field(default_factory=MiniProgramSettings)
    town: TownSettings = field(default_factory=TownSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    outreach: OutreachSettings = field(default_factory=OutreachSettings)
    mediation: MediationSettings = field(default_factory=MediationSettings)
    points: PointsSettings = field(default_factory=PointsSettings)
    source: str = "<defaults>"

    @property
    def embedded(self) -> bool:
        """True when running on SQLite with the in-process Redis stand-in."""
        return not self.redis.url


_SECTIONS: dict[str, type] = {
    f.name: typing.get_type_hints(Settings)[f.name] for f in dataclasses.fields(Settings) if f.name != "source"
}


def _coerce(section: str, key: str, value: Any, typ: Any) -> Any:
    where = f"[{section}] {key}"
    if typ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "1", "yes", "false", "0", "no"}:
            return value.lower() in {"true", "1", "yes"}
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if typ is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}") from None
    if typ is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type")  # pragma: no cover


def _build_section(name: str, raw: Any) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}]: expected a table, got {raw!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"[{name}] {key}: unknown key (known: {', '.join(sorted(known))})")
    values = {key: _coerce(name, key, raw[key], hints[key]) for key in raw}
    env_values = {}
    for key in known:
        env = os.environ.get(f"{ENV_PREFIX}{name.upper()}_{key.upper()}")
        if env is not None:
            env_values[key] = _coerce(name, key, env, hints[key])
    return cls(**{**values, **env_values})


def _validate(s: Settings) -> None:
    if not 0 < s.server.port < 65536:
        raise ConfigError(f"[server] port: must be between 1 and 65535, got {s.server.port}")
    if s.server.max_body_bytes < 1024:
        raise ConfigError("[server] max_body_bytes: must be at least 1024")
    if not 0.5 <= s.server.reply_budget_seconds <= 4.5:
        raise ConfigError("[server] reply_budget_seconds: must be between 0.5 and 4.5 (WeChat waits 5 s)")
    if not 1 <= s.server.body_timeout_seconds <= 600:
        raise ConfigError("[server] body_timeout_seconds: must be between 1 and 600")
    try:
        from bot.proxy import parse_networks

        parse_networks(s.server.trusted_proxies)
    except ValueError as exc:
        raise ConfigError(f"[server] trusted_proxies: {exc}") from None
    if not s.database.url.startswith(("sqlite://", "postgres://", "postgresql://", "psycopg://")):
        raise ConfigError(
            f"[database] url: must start with sqlite:// or postgres://, got {s.database.url!r}"
        )
    if s.redis.url and not s.redis.url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"[redis] url: must be empty or start with redis://, got {s.redis.url!r}")
    if not 0 <= s.redis.batch_window_ms <= 20:
        raise ConfigError(f"[redis] batch_window_ms: must be between 0 and 20, got {s.redis.batch_window_ms}")
    if s.wechat.mode not in {"plain", "compat", "safe"}:
        raise ConfigError(f"[wechat] mode: must be plain, compat or safe, got {s.wechat.mode!r}")
    if not s.wechat.token:
        raise ConfigError("[wechat] token: must not be empty (set it in the file or MINGBAI_WECHAT_TOKEN)")
    if s.wechat.mode != "plain" and len(s.wechat.aes_key) != 43:
        raise ConfigError(
            f"[wechat] aes_key: mode {s.wechat.mode} needs the 43-character EncodingAESKey, "
            f"got {len(s.wechat.aes_key)} characters"
        )
    if not s.wechat.api_base_url.startswith(("http://", "https://")):
        raise ConfigError("[wechat] api_base_url: must start with http:// or https://")
    if s.miniprogram.api_base_url and not s.miniprogram.api_base_url.startswith(("http://", "https://")):
        raise ConfigError("[miniprogram] api_base_url: must be empty or start with http:// or https://")
    if not s.town.name:
        raise ConfigError("[town] name: must not be empty")
    if s.limits.messages_per_minute < 1:
        raise ConfigError("[limits] messages_per_minute: must be at least 1")
    if not s.outreach.form_list or s.outreach.coverage_ratio < 1 or s.outreach.helpers_per_village < 0:
        raise ConfigError("[outreach] forms must not be empty, coverage_ratio >= 1, helpers_per_village >= 0")
    if not 0 <= s.outreach.household_share <= 1:
        raise ConfigError("[outreach] household_share is a share between 0 and 1, e.g. 0.5 for 50%")
    if s.outreach.invite_ttl_days < 1 or s.outreach.photo_max_bytes < 1024 or s.outreach.edit_window_days < 0:
        raise ConfigError("[outreach] invite_ttl_days >= 1, photo_max_bytes >= 1024, edit_window_days >= 0")
    if unknown := set(s.outreach.form_word_map) - set(s.outreach.form_list):
        raise ConfigError(f"[outreach] form_words: {'、'.join(sorted(unknown))} is not one of the forms")
    if s.mediation.due_days < 1 or s.mediation.followup_days < 1 or s.mediation.remind_before_days < 0:
        raise ConfigError("[mediation] due_days >= 1, followup_days >= 1, remind_before_days >= 0")
    if s.mediation.scan_interval_seconds < 10:
        raise ConfigError("[mediation] scan_interval_seconds: must be at least 10")
    from services.case_types import parse

    try:
        parse(s.mediation.extra_case_types)
    except ValueError as exc:
        raise ConfigError(f"[mediation] extra_case_types: {exc}") from None
    for key in ("quiet_start", "quiet_end"):
        value = getattr(s.mediation, key)
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ConfigError(f"[mediation] {key}: a time like 21:30, got {value!r}")
    if len(s.security.secret_key) < 16:
        raise ConfigError("[security] secret_key: must be at least 16 characters (MINGBAI_SECURITY_SECRET_KEY)")


def parse_settings(data: dict[str, Any], source: str = "<dict>") -> Settings:
    """Validate a parsed TOML document (plus MINGBAI_* environment overrides) into Settings."""
    for name in data:
        if name not in _SECTIONS:
            raise ConfigError(f"[{name}]: unknown section (known: {', '.join(_SECTIONS)})")
    sections = {name: _build_section(name, data.get(name, {})) for name in _SECTIONS}
    settings = Settings(**sections, source=source)
    _validate(settings)
    return settings


def load_settings(path: str | os.PathLike[str] | None) -> Settings:
    """Load settings from a TOML file; ConfigError names the file, key and problem."""
    p = Path(path) if path else None
    if p is None:
        return embedded_default_settings()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    try:
        return parse_settings(data, source=str(p))
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc}") from None


def _dev_secrets(directory: Path) -> tuple[dict[str, str], bool]:
    """Read or create the embedded default's development secrets; True when newly created."""
    path = directory / "dev-secrets.toml"
    if path.exists():
        return {k: str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}, False
    directory.mkdir(parents=True, exist_ok=True)
    values = {"token": "dev" + secrets.token_hex(12), "secret_key": secrets.token_hex(24)}
    path.write_text("".join(f'{k} = "{v}"\n' for k, v in values.items()), encoding="utf-8")
    os.chmod(path, 0o600)
    return values, True


def embedded_default_settings(directory: Path | None = None) -> Settings:
    """Settings of the embedded default: SQLite under data_home(), in-process Redis, a dev token."""
    directory = directory or data_home()
    values, _ = _dev_secrets(directory)
    data: dict[str, Any] = {
        "database": {"url": f"sqlite://{directory / 'mingbai.sqlite3'}"},
        "wechat": {"token": values["token"], "api_base_url": "http://127.0.0.1:9/"},
        "security": {"secret_key": values["secret_key"]},
    }
    return parse_settings(data, source="<embedded default>")


def resolve_config_path(cli_value: str | None) -> str | None:
    """--config wins over MINGBAI_CONFIG; neither means the embedded default."""
    return cli_value or os.environ.get("MINGBAI_CONFIG") or None


__all__ = [
    "ConfigError",
    "Settings",
    "embedded_default_settings",
    "load_settings",
    "parse_settings",
    "resolve_config_path",
]
