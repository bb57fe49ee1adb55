"""Typed keys for the application's state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.admin.web import NavItem
    from bot.config import Settings
    from bot.customer_service import CustomerService
    from bot.metrics import Metrics
    from bot.wechat.delivery import Delivery
    from bot.wechat.protocol import WeChatCodec
    from handlers.core import Dispatcher, Router
    from knowledge.answering import Knowledge

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
REDIS: web.AppKey[Any] = web.AppKey("redis")
SYNC_REDIS: web.AppKey[Any] = web.AppKey("sync_redis")
DISPATCHER: web.AppKey[Dispatcher] = web.AppKey("dispatcher")
KNOWLEDGE: web.AppKey[Knowledge] = web.AppKey("knowledge")  # what this process answers with (bot.kb_live updates it)
DELIVERY: web.AppKey[Delivery] = web.AppKey("delivery")
CODEC: web.AppKey[WeChatCodec] = web.AppKey("codec")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
CUSTOMER_SERVICE: web.AppKey[CustomerService] = web.AppKey("customer_service")
DEFAULT_TOWN_ID: web.AppKey[int] = web.AppKey("default_town_id")
ARQ: web.AppKey[Any] = web.AppKey("arq")  # arq pool for queued jobs; None with the embedded default
EXTRA_ROUTERS: web.AppKey[tuple[Router, ...]] = web.AppKey("extra_routers")
ADMIN_NAV: web.AppKey[tuple[NavItem, ...]] = web.AppKey("admin_nav")  # the console's top navigation
ADMIN_TEMPLATES: web.AppKey[Any] = web.AppKey("admin_templates")  # the console jinja2 Environment
API_HTTP: web.AppKey[Any] = web.AppKey("api_http")  # aiohttp ClientSession of the mini-program API (WeChat calls)
