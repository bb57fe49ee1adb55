"""JSON errors of the mini-program API: a machine code and a Chinese message, from one middleware."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger("mingbai.api")

STATUS_CODES = {
    400: ("bad_request", "请求有误。"),
    401: ("unauthorized", "请先登录。"),
    403: ("forbidden", "没有权限。"),
    404: ("not_found", "没有找到。"),
    405: ("method_not_allowed", "不支持这种请求方式。"),
    413: ("too_large", "内容太大了。"),
    415: ("unsupported_media_type", "不支持的内容类型。"),
}


class ApiError(Exception):
    """An error answered as {"error": code, "message": 中文, "field": ...}."""

    def __init__(self, status: int, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with Chinese left readable."""
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def error_response(status: int, code: str, message: str, field: str = "", **extra: Any) -> web.Response:
    """The error body every API failure uses (plus any extra keys, e.g. the existing record's id)."""
    body: dict[str, Any] = {"error": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    return json_response(body, status)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """ApiError, aiohttp's HTTP errors and anything unexpected become JSON errors."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.field)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = STATUS_CODES.get(exc.status, ("error", "请求失败。"))
        return error_response(exc.status, code, message)
    except HttpProcessingError:  # a body aiohttp cannot parse, found while reading it (a broken multipart part)
        return error_response(400, "invalid", "请求内容格式不对，无法读取。")
    except Exception:
        log.exception("unhandled API error on %s %s", request.method, request.path)
        return error_response(500, "internal", "系统繁忙，请稍后再试。")
