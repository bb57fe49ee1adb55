"""The `mingbai` command: serve, db, chat, ask, and the commands later features add."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from bot.config import ConfigError, Settings, load_settings, resolve_config_path

# Every command: its module (whose add_parser(subparsers) registers it and sets `func(args, settings) -> int`)
# and what it does, in Chinese for the office staff who run it. Only the module of the command being run is
# imported, so `mingbai --help` and a command's own help answer at once, without loading the knowledge base.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("bot.commands.serve", "启动服务（微信回调、小程序接口、管理后台）"),
    "worker": ("bot.commands.worker", "后台任务：提醒、通知、客服消息重发"),
    "db": ("bot.commands.db", "数据库升级"),
    "chat": ("bot.commands.chat", "在终端里像微信用户一样聊天（连到运行中的服务）"),
    "ask": ("bot.commands.ask", "显示村民问一个问题时收到的回复（不需要启动服务）"),
    "kb": ("bot.commands.kb", "知识库评测与未答问题"),
    "admin": ("bot.commands.admin", "管理后台登录账号：创建、改密码"),
    "report": ("bot.commands.report", "述法报告的数字与文字（text、md、docx、xlsx），人民调解工作统计表"),
    "demo": ("bot.commands.demo", "生成演示数据"),
    "villages": ("bot.commands.outreach", "导入村名单（村名、户数、村民小组）"),
    "helpers": ("bot.commands.outreach", "导入法律明白人名单，生成邀请码和邀请二维码"),
    "user": ("bot.commands.outreach", "添加一个人（法律明白人、调解员、管理员）并生成邀请码"),
    "activities": ("bot.commands.outreach", "普法活动工作台账：导入、导出"),
    "coverage": ("bot.commands.outreach", "各村法律明白人覆盖情况"),
    "screenings": ("bot.commands.screening", "矛盾纠纷排查台账：导入、导出、未按期排查的村"),
    "points": ("bot.commands.helper_work", "法律明白人年度积分表（xlsx）"),
    "outreach": ("bot.commands.wording", "活动自述识别评测"),
    "wechat": ("bot.commands.wechat", "公众号菜单和村二维码"),
    "fake-wechat": ("bot.commands.wechat", "本地模拟的微信接口（不接真实微信时试用）"),
    "cases": ("bot.commands.cases", "案件卷宗导出（年底归档）"),
}
COMMAND_MODULES = list(dict.fromkeys(module for module, _ in COMMANDS.values()))


def _command_of(argv: list[str]) -> str | None:
    """The command named on the command line (skipping --config FILE), if any."""
    args = iter(argv)
    for arg in args:
        if arg == "--config":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `argv`, only the module of the command it names is imported."""
    parser = argparse.ArgumentParser(prog="mingbai", description="明白：乡镇法治工作微信后台。"
                                     "“mingbai 命令 --help”查看某个命令的用法。", add_help=False)
    parser.add_argument("-h", "--help", action="help", help="显示本帮助")
    parser.add_argument("--config", help="配置文件（TOML）；默认用环境变量 MINGBAI_CONFIG，都没有时用内置的试用配置")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令")
    wanted = _command_of(argv) if argv is not None else None
    modules = COMMAND_MODULES if argv is None else [COMMANDS[wanted][0]] if wanted in COMMANDS else []
    for name in modules:
        importlib.import_module(name).add_parser(sub)
    for name, (_, text) in COMMANDS.items():
        if name not in sub.choices:  # listed in the help without importing its module
            sub.add_parser(name, help=text)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings for a command: --config, MINGBAI_CONFIG, or the embedded default."""
    return load_settings(resolve_config_path(args.config))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("jieba", "tortoise", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    for noisy in ("jieba", "bm25s"):  # they set DEBUG on import
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parser.parse_args(args_list)
    try:
        settings = settings_from(args)
    except ConfigError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
