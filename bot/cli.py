"""The `mingbai` command: serve, db, chat, ask, and the commands later features add."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from bot.config import ConfigError, Settings, load_settings, resolve_config_path

# Each module has add_parser(subparsers); its parser sets `func(args, settings) -> int`.
COMMAND_MODULES = [
    "bot.commands.serve",
    "bot.commands.db",
    "bot.commands.chat",
    "bot.commands.ask",
    "bot.commands.kb",
    "bot.commands.admin",
    "bot.commands.worker",
    "bot.commands.report",
    "bot.commands.demo",
    "bot.commands.outreach",
    "bot.commands.screening",
    "bot.commands.helper_work",
    "bot.commands.wording",
    "bot.commands.wechat",
    "bot.commands.cases",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="mingbai", description="明白：乡镇法治工作微信后台")
    parser.add_argument("--config",
                        help="TOML configuration file (default: $MINGBAI_CONFIG, else the embedded default)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings for a command: --config, MINGBAI_CONFIG, or the embedded default."""
    return load_settings(resolve_config_path(args.config))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("jieba", "tortoise", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = build_parser()
    for noisy in ("jieba", "bm25s"):  # they set DEBUG on import
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
    except ConfigError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
