"""The `mingbai` command: serve, db, chat, ask, and the commands later features add."""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
from typing import Any, NoReturn

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

# The help in Chinese: argparse's own words (the usage prefix, its section titles, the -h line, its error
# messages) through the formatter class and the parser's public methods; option values shown by what they are.
SECTIONS = {"options": "选项", "optional arguments": "选项", "positional arguments": "参数"}
METAVARS = {
    "config": "配置文件", "file": "文件", "output": "输出", "year": "年份", "village": "村名", "town": "镇名",
    "days": "天数", "host": "地址", "port": "端口", "workers": "进程数", "url": "网址", "openid": "用户标识",
    "inbox": "网址", "login": "账号", "name": "姓名", "phone": "电话", "seed": "随机种子", "first": "起始日",
    "last": "截止日", "sheets": "文件夹", "devset": "文件", "lawbench": "文件", "faq_dir": "文件夹", "limit": "条数",
    "ratio": "户数", "floor": "人数", "question": "问题", "since": "日期",
}
ERRORS = (
    (r"the following arguments are required: (.+)", r"缺少必填的参数：\1"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", r"参数 \1 的值 \2 不在可选范围内（可选：\3）"),
    (r"argument (\S+): invalid \S+ value: (.+)", r"参数 \1 的值 \2 格式不对"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面要写一个值"),
    (r"argument (\S+): expected at least one argument", r"参数 \1 后面至少要写一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1 不能和 \2 同时使用"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数：\1"),
    (r"ambiguous option: (\S+) could match (.+)", r"参数 \1 不明确，可能是：\2"),
)


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help with Chinese usage prefix and section titles."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        """The usage line, headed 用法："""
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        """A section of the help, its title in Chinese."""
        super().start_section(SECTIONS.get(heading or "", heading))


class Parser(argparse.ArgumentParser):
    """An argument parser that speaks Chinese; subcommands' parsers are of this class too (argparse's
    add_subparsers takes the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # our own -h below, in Chinese
        super().__init__(*args, **kwargs)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """An argument; one taking a value is shown by a Chinese name of what to write (年份, 文件 …)."""
        action = super().add_argument(*args, **kwargs)
        if action.metavar is None and action.choices is None and action.nargs != 0:
            action.metavar = METAVARS.get(action.dest, "值")
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Subcommands, named 子命令 in the usage and in errors (not by their internal dest)."""
        kwargs.setdefault("metavar", "子命令")
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """The usage and the problem in Chinese, exit status 2 (as argparse does)."""
        for pattern, chinese in ERRORS:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, chinese, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n")


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
    parser = Parser(prog="mingbai", description="明白：乡镇法治工作微信后台。“mingbai 命令 --help”查看某个命令的用法。")
    parser.add_argument("--config", help="配置文件（TOML）；默认用环境变量 MINGBAI_CONFIG，都没有时用内置的试用配置")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="可用的命令")
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
