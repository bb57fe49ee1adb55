"""mingbai admin create / passwd: console logins for mediators and admins."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

import models
from bot.admin.passwords import hash_password, password_problem
from bot.config import Settings
from bot.users import ensure_town
from models.core import Role, Town, User

CONSOLE_ROLES = [Role.MEDIATOR.value, Role.ADMIN.value, Role.COUNTY_ADMIN.value]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser("admin", help="console logins (调解工作台账号)")
    asub = p.add_subparsers(dest="admin_command", required=True)
    create = asub.add_parser("create", help="create a console login (or give an existing person one)")
    create.add_argument("--name", required=True, help="the login name (姓名)")
    create.add_argument("--role", choices=CONSOLE_ROLES, default=Role.ADMIN.value)
    create.add_argument("--town", help="town name (default: the configured [town] name)")
    create.add_argument("--phone", default="")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(func=run_create)
    passwd = asub.add_parser("passwd", help="set a console login's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd.set_defaults(func=run_passwd)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码: ")
    if getpass.getpass("再输一次: ") != first:
        raise ValueError("两次输入的密码不一致")
    return first


async def _open(settings: Settings) -> None:
    if settings.embedded:
        await models.migrate(settings.database.url)


async def create_login(settings: Settings, name: str, role: Role, password: str, town_name: str | None,
                       phone: str = "") -> tuple[User, bool]:
    """Create (or update) a console login; True when a new person was created."""
    await _open(settings)
    async with models.database(settings.database.url):
        if town_name and town_name != settings.town.name:
            town = await Town.get_or_none(name=town_name)
            if town is None:
                raise ValueError(f"没有这个镇：{town_name}")
            town_id = town.id
        else:
            t = settings.town
            town_id = await ensure_town(t.name, t.studio_name, t.case_prefix)
        existing = await User.filter(display_name=name).all()
        if len(existing) > 1:
            raise ValueError(f"有{len(existing)}个人叫“{name}”，请先在工作台里改名区分")
        if existing:
            user = existing[0]
            user.role, user.town_id, user.password_hash, user.active = role, town_id, hash_password(password), True  # type: ignore[attr-defined]
            if phone:
                user.phone = phone
            await user.save()
            return user, False
        user = await User.create(display_name=name, role=role, town_id=town_id, phone=phone,
                                 password_hash=hash_password(password))
        return user, True


async def set_password(settings: Settings, name: str, password: str) -> bool:
    """Set the password of the one active person with this name; False when there is none."""
    await _open(settings)
    async with models.database(settings.database.url):
        users = await User.filter(display_name=name, active=True).all()
        if len(users) != 1:
            return False
        users[0].password_hash = hash_password(password)
        await users[0].save(update_fields=["password_hash"])
    if settings.redis.url:
        from redis.asyncio import from_url

        from bot.admin.session import end_user_sessions

        client = from_url(settings.redis.url)
        try:
            await end_user_sessions(client, users[0].id)
        finally:
            await client.aclose()
    return True


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a console login."""
    try:
        password = _read_password(args.password_stdin)
        problem = password_problem(password)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        user, created = asyncio.run(create_login(settings, args.name.strip(), Role(args.role), password,
                                                 args.town, args.phone))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    verb = "已创建" if created else "已更新"
    print(f"{verb}工作台账号：{user.display_name}（{Role(user.role).label}），登录地址 /admin/login")
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
    if not asyncio.run(set_password(settings, args.name.strip(), password)):
        print(f"没有找到唯一一个叫“{args.name}”的在用账号", file=sys.stderr)
        return 1
    print(f"已为{args.name}设置新密码，原有登录已失效。")
    return 0
