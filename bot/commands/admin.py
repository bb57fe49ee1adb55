"""mingbai admin create / passwd: console logins for mediators and admins."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from tortoise.exceptions import IntegrityError

import models
from bot.admin.passwords import hash_password, password_problem
from bot.config import Settings
from models.core import Role, Town, User
from services.accounts import AccountError, find_login, normalize_login

CONSOLE_ROLES = [Role.MEDIATOR.value, Role.ADMIN.value, Role.COUNTY_ADMIN.value]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("admin", help="工作台账号（调解员、管理员）")
    asub = p.add_subparsers(dest="admin_command", required=True)
    create = asub.add_parser("create", help="创建工作台账号（已有的账号须加 --reset-password 才会重设密码）")
    create.add_argument("--login", help="登录账号：登录名或手机号，唯一（不填则用 --phone）")
    create.add_argument("--name", required=True, help="姓名（显示用，可重名）")
    create.add_argument("--role", choices=CONSOLE_ROLES, default=Role.ADMIN.value,
                        help="mediator 调解员、admin 管理员（默认）、county_admin 县级管理员")
    create.add_argument("--town", help="镇名（默认为配置的 [town] name）")
    create.add_argument("--phone", default="", help="电话")
    create.add_argument("--password-stdin", action="store_true", help="从标准输入读密码（一行）")
    create.add_argument("--reset-password", action="store_true",
                        help="登录账号已存在时，重设其密码（并更新姓名、角色、镇）")
    create.set_defaults(func=run_create)
    passwd = asub.add_parser("passwd", help="重设工作台账号的密码")
    passwd.add_argument("login", help="登录账号")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读密码（一行）")
    passwd.set_defaults(func=run_passwd)


def _read_password(from_stdin: bool) -> str:
    """The new password from stdin (one line) or typed twice at a terminal; ValueError in Chinese otherwise."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise ValueError("没有从标准输入读到密码：请用 echo '密码' | mingbai admin ... --password-stdin")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("没有终端可以输入密码：请加 --password-stdin，并从标准输入给出密码。")
    try:
        first = getpass.getpass("新密码: ")
        again = getpass.getpass("再输一次: ")
    except (EOFError, KeyboardInterrupt):
        raise ValueError("没有输入密码，已取消。") from None
    if again != first:
        raise ValueError("两次输入的密码不一致")
    return first


async def _open(settings: Settings) -> None:
    if settings.embedded:
        await models.migrate(settings.database.url)


async def create_login(settings: Settings, name: str, role: Role, password: str, town_name: str | None,
                       phone: str = "", *, login: str = "", reset: bool = False) -> tuple[User, bool]:
    """Create a console login; an existing login is changed only with reset=True. True when created."""
    value = normalize_login(login or phone)  # AccountError (a ValueError) when unusable or missing
    await _open(settings)
    async with models.database(settings.database.url):
        if town_name and town_name != settings.town.name:
            town = await Town.get_or_none(name=town_name)
            if town is None:
                raise ValueError(f"没有这个镇：{town_name}")
            town_id = town.id
        else:
            t = settings.town
            from bot.users import ensure_town  # here: it loads the chat handlers, not needed for --help
            town_id = await ensure_town(t.name, t.studio_name, t.case_prefix)
        existing = await User.get_or_none(login=value)
        if existing is not None:
            if not reset:
                raise ValueError(f"登录账号“{value}”已存在，没有修改。如要重设其密码，请加 --reset-password。")
            existing.display_name, existing.role, existing.town_id = name, role, town_id  # type: ignore[attr-defined]
            existing.password_hash, existing.active = hash_password(password), True
            if phone:
                existing.phone = phone
            await existing.save()
            return existing, False
        try:
            user = await User.create(display_name=name, role=role, town_id=town_id, phone=phone, login=value,
                                     password_hash=hash_password(password))
        except IntegrityError:
            raise ValueError(f"登录账号“{value}”已存在，没有修改。如要重设其密码，请加 --reset-password。") from None
        return user, True


async def set_password(settings: Settings, login: str, password: str) -> bool:
    """Set the password of the active console login; False when there is none."""
    await _open(settings)
    async with models.database(settings.database.url):
        user = await find_login(login)
        if user is None:
            return False
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    if settings.redis.url:
        from redis.asyncio import from_url

        from bot.admin.session import end_user_sessions

        client = from_url(settings.redis.url)
        try:
            await end_user_sessions(client, user.id)
        finally:
            await client.aclose()
    return True


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a console login."""
    try:
        normalize_login(args.login or args.phone or "")
    except AccountError:
        print("请用 --login 给出登录账号（登录名或手机号，2到64个字符，不含空格）。", file=sys.stderr)
        return 1
    try:
        password = _read_password(args.password_stdin)
        problem = password_problem(password)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        user, created = asyncio.run(create_login(settings, args.name.strip(), Role(args.role), password,
                                                 args.town, args.phone, login=args.login or "",
                                                 reset=args.reset_password))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    verb = "已创建" if created else "已重设密码"
    print(f"{verb}工作台账号：{user.login}（{user.display_name}，{Role(user.role).label}），登录地址 /admin/login")
    return 0


def run_passwd(args: argparse.Namespace, settings: Settings) -> int:
    """Set a console login's password."""
    try:
        password = _read_password(args.password_stdin)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    problem = password_problem(password)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    if not asyncio.run(set_password(settings, args.login.strip(), password)):
        print(f"没有在用的登录账号“{args.login}”", file=sys.stderr)
        return 1
    print(f"已为{args.login}设置新密码，原有登录已失效。")
    return 0
