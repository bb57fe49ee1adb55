"""Shared fixtures: real Redis, SQLite or PostgreSQL (MINGBAI_TEST_DB), the fake WeChat API, the app."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from aiohttp.test_utils import TestClient, TestServer

import models
from bot.app import create_app
from bot.config import Settings, parse_settings
from tests import stray_threads
from tests.fakewechat import FakeWeChat

stray_threads.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stray_threads.check(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    stray_threads.exit_without_waiting(config)

TEST_DB = os.environ.get("MINGBAI_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("MINGBAI_TEST_PG", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MINGBAI_TEST_REDIS", "redis://127.0.0.1:6379/15")
TOKEN = "testtoken123"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx1234567890abcdef"
MP_APPID = "wxminiprogram00001"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that touch the database are marked `db`: `make test` reruns them on PostgreSQL."""
    deselected = []
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
        if item.get_closest_marker("postgres_only") and TEST_DB != "postgres":
            deselected.append(item)  # runs in the PostgreSQL pass of `make test`
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if i not in deselected]


@pytest.fixture(autouse=True, scope="session")
def _mingbai_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The embedded default's data of in-process commands goes to a temporary folder, not the checkout's var/."""
    before = os.environ.get("MINGBAI_HOME")
    os.environ["MINGBAI_HOME"] = str(tmp_path_factory.mktemp("mingbai-home"))
    yield
    if before is None:
        os.environ.pop("MINGBAI_HOME", None)
    else:
        os.environ["MINGBAI_HOME"] = before


def _redis_or_fail() -> None:
    try:
        redis_sync.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # never skipped: a missing service fails the suite
        pytest.fail(f"Redis is required at {REDIS_URL} ({exc}); start it (make services)", pytrace=False)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis database, emptied before each test."""
    _redis_or_fail()
    client = redis_sync.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


async def _pg_exec(sql: str, url: str = PG_ADMIN_URL) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per session: a SQLite file to copy, or a PostgreSQL database to truncate."""
    if TEST_DB == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        asyncio.run(models.migrate(f"sqlite://{path}"))
        yield str(path)
        return
    if TEST_DB != "postgres":
        pytest.fail(f"MINGBAI_TEST_DB must be sqlite or postgres, not {TEST_DB!r}", pytrace=False)
    name = f"mingbai_test_{os.getpid()}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        asyncio.run(_pg_exec(f"DROP DATABASE IF EXISTS {name}"))
        asyncio.run(_pg_exec(f"CREATE DATABASE {name}"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required at {PG_ADMIN_URL} ({exc}); start it (make services)", pytrace=False)
    url = f"{base}/{name}"
    asyncio.run(models.migrate(url))
    yield url
    asyncio.run(_pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def db_url(migrated_template: str, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if TEST_DB == "sqlite":
        path = tmp_path / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copy(migrated_template, path)
        return f"sqlite://{path}"
    asyncio.run(_truncate_all(migrated_template))
    return migrated_template


async def _truncate_all(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if r["tablename"] != "tortoise_migrations"
        ]
        if tables:
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """The test database opened for direct model access in the test itself."""
    async with models.database(db_url):
        yield db_url


@pytest.fixture
async def fake_wechat() -> AsyncIterator[tuple[FakeWeChat, str]]:
    """The fake WeChat API server and its base URL."""
    fake = FakeWeChat()
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
def make_settings(db_url: str, redis_url: str) -> Callable[..., Settings]:
    """Settings for a test app: real Redis, the test database; override per section."""

    def make(**sections: dict[str, Any]) -> Settings:
        data: dict[str, Any] = {
            "database": {"url": db_url},
            "redis": {"url": redis_url},
            # api_base_url: nothing listens there; tests that call the WeChat API point it at the fake
            "wechat": {"token": TOKEN, "appid": APPID, "secret": "s3cret", "aes_key": AES_KEY, "mode": "plain",
                       "api_base_url": "http://127.0.0.1:9"},
            "miniprogram": {"appid": MP_APPID, "secret": "mp-s3cret"},
            "security": {"secret_key": "test-secret-key-0123456789"},
            "limits": {"messages_per_minute": 1000},
        }
        for name, values in sections.items():
            data[name] = {**data.get(name, {}), **values}
        return parse_settings(data, source="<test>")

    return make


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., Any]]:
    """Start the real app for given settings (and extra routers); closed at the end of the test."""
    clients: list[TestClient[Any, Any]] = []

    async def start(settings: Settings, extra_routers: tuple[Any, ...] = ()) -> TestClient[Any, Any]:
        client: TestClient[Any, Any] = TestClient(TestServer(create_app(settings, extra_routers=extra_routers)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in reversed(clients):
        await client.close()
