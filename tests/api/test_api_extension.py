"""Another module can add endpoints (and their documentation) through its register() in REGISTRARS."""

from __future__ import annotations

from aiohttp import web

import bot.api
from bot.api.errors import ApiError, json_response
from bot.api.spec import ApiSpec, params, path_id


async def _echo(request: web.Request) -> web.Response:
    if params(request)["id"] == 7:
        raise ApiError(409, "busy", "稍后再试。")
    return json_response({"id": params(request)["id"]})


def _register(api: web.Application, spec: ApiSpec) -> None:
    ref = spec.schema("Echo", {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}})
    spec.route(api, "GET", "/echo/{id}", _echo, summary="回声", tag="demo", response=ref, params=[path_id()],
               auth=False)


async def test_module_registers_routes_and_documents_them(monkeypatch, make_settings, make_client) -> None:
    monkeypatch.setattr(bot.api, "REGISTRARS", [*bot.api.REGISTRARS, _register])
    client = await make_client(make_settings())
    assert await (await client.get("/api/v1/echo/5")).json() == {"id": 5}
    r = await client.get("/api/v1/echo/7")
    assert r.status == 409 and await r.json() == {"error": "busy", "message": "稍后再试。"}
    assert (await client.get("/api/v1/echo/abc")).status == 404
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert "get" in doc["paths"]["/api/v1/echo/{id}"] and "Echo" in doc["components"]["schemas"]
