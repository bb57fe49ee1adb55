"""The composition root: create_app(settings) wires resources, routes and middlewares."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from tortoise.connection import get_connection

import models
from bot import admin, api, keys, notify, reminders, screening_reminders
from bot.admin import ADMIN_ROLES, STAFF_ROLES, NavItem
from bot.admin import kb as admin_kb
from bot.admin import stats as admin_stats
from bot.config import Settings
from bot.cs_retry import QUEUE
from bot.customer_service import CustomerService
from bot.media import MediaDownloader
from bot.metrics import Metrics
from bot.proxy import forwarded_middleware, parse_networks
from bot.redis_store import RedisRateCounter, RedisUserCache, RedisUserLocks, make_clients
from bot.slow_clients import BODIES, body_deadline_middleware
from bot.users import ContextLoader, ensure_town, install_cache_invalidation
from bot.wechat import view as wechat_view
from bot.wechat.delivery import Delivery
from bot.wechat.platform import PLATFORM, mount_stand_in, platform_ctx
from bot.wechat.protocol import WeChatCodec
from handlers import Edge, build_dispatcher
from handlers.core import Router
from handlers.core.fsm import RedisStateStorage
from handlers.core.resilience import Breaker
from handlers.legal import DatabaseQuestionLog
from knowledge.answering import Knowledge, get_responder
from models import case_types

log = logging.getLogger("mingbai")


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """Redis (or the in-process stand-in) for dedup, state, rate limits and tokens."""
    settings = app[keys.SETTINGS].redis
    aio, sync = make_clients(settings.url, settings.batch_window_ms / 1000)
    app[keys.REDIS], app[keys.SYNC_REDIS] = aio, sync
    yield
    await aio.aclose()
    sync.close()


async def arq_ctx(app: web.Application) -> AsyncIterator[None]:
    """The job queue (arq) on the shared Redis; the embedded default has none."""
    url = app[keys.SETTINGS].redis.url
    if not url:
        app[keys.ARQ] = None
        yield
        return
    from arq.connections import RedisSettings, create_pool

    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout, settings.conn_retries = 1, 0  # Redis down must not hold up start-up or a send
    try:
        pool = await create_pool(settings, default_queue_name=QUEUE)
    except Exception as exc:
        log.warning("job queue unavailable at start (%s): customer-service retries run in-process", exc)
        app[keys.ARQ] = None
        yield
        return
    app[keys.ARQ] = pool
    yield
    await pool.aclose()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """The database; the embedded default migrates itself on first start."""
    settings = app[keys.SETTINGS]
    if settings.embedded:
        await models.migrate(settings.database.url)
    async with models.database(settings.database.url, global_fallback=True):
        t = settings.town
        app[keys.DEFAULT_TOWN_ID] = await ensure_town(t.name, t.studio_name, t.case_prefix)
        yield


async def dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    """The conversation (stores, handlers) and the WeChat delivery in front of it, wired once."""
    settings, redis, metrics = app[keys.SETTINGS], app[keys.REDIS], app[keys.METRICS]
    breaker = Breaker(on_change=lambda down: metrics.degraded.set(1 if down else 0))
    customer_service = CustomerService(
        settings.wechat.appid, settings.wechat.secret, settings.wechat.api_base_url,
        app[keys.SYNC_REDIS], settings.wechat.api_timeout_seconds,
        shared_token=app[PLATFORM].blocking_token(asyncio.get_running_loop()),  # one token, one refresh
    )
    app[keys.CUSTOMER_SERVICE] = customer_service
    question_log = DatabaseQuestionLog(settings.security.secret_key)
    edge = Edge(
        rate=RedisRateCounter(redis, breaker), locks=RedisUserLocks(redis, breaker),
        users=ContextLoader(app[keys.DEFAULT_TOWN_ID]), user_cache=RedisUserCache(redis, breaker),
        observe=metrics.handler_latency.observe, on_limited=metrics.rate_limited.inc,
    )
    media = MediaDownloader(customer_service.client, settings.wechat.api_base_url,
                            settings.outreach.photo_max_bytes, settings.wechat.api_timeout_seconds)
    first_routers: tuple[Router, ...] = app[keys.EXTRA_ROUTERS]
    # What this process answers with: the bundled entries (loaded before the first question, off the
    # event loop), then the console's changes as bot.kb_live swaps them into this one object.
    knowledge = Knowledge(await asyncio.to_thread(get_responder))
    app[keys.KNOWLEDGE] = knowledge
    dispatcher = build_dispatcher(
        RedisStateStorage(redis, breaker=breaker), settings=settings, knowledge=knowledge, edge=edge,
        first_routers=first_routers, deps={"question_log": question_log, "media": media,
                                           "wechat_platform": app[PLATFORM], "wechat_menu": app[PLATFORM].menu},
    )
    app[keys.DISPATCHER] = dispatcher
    delivery = Delivery(redis, breaker, dispatcher.feed, budget=settings.server.reply_budget_seconds,
                        customer_service=customer_service, metrics=metrics, arq=lambda: app[keys.ARQ])
    app[keys.DELIVERY] = delivery
    uninstall = install_cache_invalidation(redis)
    yield
    uninstall()
    await delivery.drain()
    await asyncio.to_thread(customer_service.close)
    await question_log.drain()
    await media.close()


async def healthz(request: web.Request) -> web.Response:
    """Database and Redis reachability; 503 when either is down."""
    checks: dict[str, str] = {}
    try:
        await get_connection("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await request.app[keys.REDIS].ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if ok else "degraded", **checks}
    return web.json_response(body, status=200 if ok else 503, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def metrics_view(request: web.Request) -> web.Response:
    """Prometheus exposition."""
    data = generate_latest(request.app[keys.METRICS].registry)
    return web.Response(body=data, headers={"Content-Type": CONTENT_TYPE_LATEST})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _route_name(request: web.Request) -> str:
    route = request.match_info.route
    if route.name:
        return route.name
    return "unmatched" if route.resource is None else route.resource.canonical


@web.middleware
async def observe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count requests by route and status; turn unexpected errors into a friendly 500."""
    route = _route_name(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        request.app[keys.METRICS].count_request(route, exc.status)
        raise
    except Exception:
        log.exception("unhandled error on %s", request.path)
        request.app[keys.METRICS].count_request(route, 500)
        return web.json_response({"error": "internal", "message": "系统繁忙，请稍后再试"}, status=500)
    request.app[keys.METRICS].count_request(route, response.status)
    return response


# The console's top navigation: one list for the pages mounted in create_app, in the order shown.
CONSOLE_NAV = (
    NavItem("案件看板", "/admin/cases"),
    NavItem("我的案件", "/admin/cases/mine"),
    NavItem("登记案件", "/admin/cases/new"),
    NavItem("调解统计表", "/admin/cases/table", ADMIN_ROLES),
    NavItem("排查", "/admin/screenings"),
    NavItem("统计", "/admin/stats", ADMIN_ROLES),
    NavItem("人员", "/admin/users", ADMIN_ROLES),
    NavItem("村", "/admin/villages", ADMIN_ROLES),
    NavItem("积分", "/admin/points", ADMIN_ROLES),
    NavItem("知识库", "/admin/kb", STAFF_ROLES),
)


def create_app(settings: Settings, *, extra_routers: Sequence[Router] = ()) -> web.Application:
    """Build the application for these settings; nothing connects until startup.

    `extra_routers` go before the built-in ones (tests use them to plant slow or failing handlers).
    """
    case_types.configure(settings.mediation.extra_case_types, settings.mediation.referrers)
    bodies: set[asyncio.Task[None]] = set()
    app = web.Application(middlewares=[forwarded_middleware(parse_networks(settings.server.trusted_proxies)),
                                       body_deadline_middleware(settings.server.body_timeout_seconds, bodies),
                                       observe_middleware], client_max_size=settings.server.max_body_bytes)
    app[BODIES] = bodies
    app[keys.SETTINGS] = settings
    app[keys.METRICS] = Metrics()
    app[keys.EXTRA_ROUTERS] = tuple(extra_routers)
    app[keys.CODEC] = WeChatCodec(
        settings.wechat.token, settings.wechat.appid, settings.wechat.aes_key, settings.wechat.mode,
        settings.wechat.timestamp_tolerance_seconds,
    )
    app.cleanup_ctx.extend([redis_ctx, arq_ctx, database_ctx, platform_ctx, dispatcher_ctx])
    if settings.wechat.fake_api:  # no real WeChat credentials: the local stand-in plays the WeChat API
        mount_stand_in(app)
    wechat_view.setup(app)
    admin.setup(app)
    admin_stats.setup(app)
    admin_kb.setup(app)
    app[keys.ADMIN_NAV] = CONSOLE_NAV
    reminders.setup(app)
    screening_reminders.setup(app)
    notify.setup(app)
    api.setup(app)
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/metrics", metrics_view, name="metrics")
    return app
