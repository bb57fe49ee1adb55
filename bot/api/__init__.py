"""The mini-program JSON API under /api/v1: one aiohttp sub-application with JSON errors and bearer sessions.

Adding endpoints from another module (e.g. mediation)
-----------------------------------------------------
Write a module with ``register(api: web.Application, spec: ApiSpec) -> None`` and add its ``register``
to ``REGISTRARS`` below (one line). ``register`` adds each route through ``spec.route(...)``,
which registers the handler on the sub-application AND documents it in /api/v1/openapi.json, so the
document always matches the implementation::

    from bot.api.auth import current_user           # the logged-in person (401/403 as JSON otherwise)
    from bot.api.errors import ApiError, json_response
    from bot.api.spec import ApiSpec, body, params, path_id

    def register(api: web.Application, spec: ApiSpec) -> None:
        case = spec.schema("Case", {"type": "object", "properties": {...}})        # components/schemas/Case
        spec.route(api, "GET", "/cases/{id}", get_case, summary="查看案件", tag="mediation",
                   response=case, params=[path_id()])                             # path relative to /api/v1

    async def get_case(request: web.Request) -> web.Response:
        me = await current_user(request)
        case_id = params(request)["id"]                   # validated path/query parameters
        ...                                               # body(request): the validated JSON body
        raise ApiError(404, "not_found", "没有找到这个案件。")   # -> {"error": ..., "message": ...}

Paths that do not go through ``spec.route`` can still be documented: ``spec.paths[path][method] = {...}``
and ``spec.schema(name, schema)``. Handlers reach the main app's state with ``request.config_dict[keys.X]``.
Security scheme "bearer" (Authorization: Bearer <token>) is declared; ``spec.route(..., auth=False)`` for
public endpoints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from bot import keys
from bot.api import auth, mediation, outreach, screening
from bot.api.errors import error_middleware, json_response
from bot.api.spec import ApiSpec
from bot.config import Settings

# Each module's register(api, spec); the order is the order of the OpenAPI document.
REGISTRARS: list[Callable[[web.Application, ApiSpec], None]] = [
    auth.register,
    outreach.register,
    mediation.register,
    screening.register,
]

SPEC: web.AppKey[ApiSpec] = web.AppKey("api_spec")


async def http_ctx(app: web.Application) -> AsyncIterator[None]:
    """One HTTP client session (with a timeout) for calls to the WeChat API."""
    timeout = aiohttp.ClientTimeout(total=app[keys.SETTINGS].wechat.api_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        app[keys.API_HTTP] = session
        yield


async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI document of everything registered."""
    return json_response(request.app[SPEC].document())


def build_api(settings: Settings) -> web.Application:
    """The /api/v1 sub-application with every module's routes."""
    api = web.Application(middlewares=[error_middleware])
    api[keys.SETTINGS] = settings
    spec = ApiSpec(title="明白 小程序接口", version="1.0.0")
    for register in REGISTRARS:
        register(api, spec)
    api[SPEC] = spec
    api.router.add_get("/openapi.json", openapi)
    api.cleanup_ctx.append(http_ctx)
    return api


def setup(app: web.Application) -> None:
    """Mount the API at /api/v1."""
    app.add_subapp("/api/v1", build_api(app[keys.SETTINGS]))
