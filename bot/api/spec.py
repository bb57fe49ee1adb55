"""One place that registers a route AND documents it, so /api/v1/openapi.json matches the implementation."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from aiohttp import web

from bot.api.json_errors import ApiError
from services.hygiene import clean_json

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Schema = dict[str, Any]
MAX_ID = 2**53  # ids above this are never issued; refusing them keeps PostgreSQL's bigint happy

ERROR_REF = {"$ref": "#/components/schemas/Error"}
PARAMS: web.RequestKey[dict[str, Any]] = web.RequestKey("api_params", dict)
BODY: web.RequestKey[Any] = web.RequestKey("api_body", object)


def params(request: web.Request) -> dict[str, Any]:
    """The validated path and query parameters of an API request."""
    return request[PARAMS]


def body(request: web.Request) -> Any:
    """The validated JSON body of an API request."""
    return request[BODY]


@dataclass
class Param:
    """A path or query parameter, validated before the handler runs."""

    name: str
    where: str  # "path" or "query"
    schema: Schema
    required: bool = False
    description: str = ""


def path_id(name: str = "id", description: str = "编号") -> Param:
    """A positive integer id in the path."""
    return Param(name, "path", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, True, description)


def query_int(name: str, default: int, minimum: int, maximum: int, description: str = "") -> Param:
    """An optional integer query parameter within bounds."""
    return Param(name, "query", {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default},
                 False, description)


@dataclass
class ApiSpec:
    """Collects OpenAPI paths and component schemas while modules register their routes."""

    title: str
    version: str
    prefix: str = "/api/v1"
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)
    schemas: dict[str, Schema] = field(default_factory=dict)

    def schema(self, name: str, schema: Schema) -> Schema:
        """Register a component schema; returns a $ref to it."""
        self.schemas[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def resolve(self, schema: Schema) -> Schema:
        """Follow a $ref to the component schema."""
        ref = schema.get("$ref")
        return self.schemas[ref.rsplit("/", 1)[1]] if ref else schema

    def route(
        self,
        api: web.Application,
        method: str,
        path: str,
        handler: Handler,
        *,
        summary: str,
        tag: str,
        response: Schema | None = None,
        status: int = 200,
        body: Schema | None = None,
        params: Sequence[Param] = (),
        auth: bool = True,
        extra_content: dict[str, Any] | None = None,
        response_content: dict[str, Any] | None = None,
    ) -> None:
        """Add `handler` at `path` (relative to /api/v1) and document it.

        The wrapper validates path/query parameters and the JSON body against the documented
        schemas before the handler runs (params(request), body(request)); errors are ApiError.
        """
        op: dict[str, Any] = {
            "summary": summary,
            "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
            "tags": [tag],
            "responses": {
                str(status): {"description": "成功", **(
                    {"content": response_content} if response_content
                    else {"content": {"application/json": {"schema": response}}} if response else {}
                )},
                "default": {"description": "错误：message 为中文说明，error 为机器可读代码",
                            "content": {"application/json": {"schema": ERROR_REF}}},
            },
        }
        if params:
            op["parameters"] = [
                {"name": p.name, "in": p.where, "required": p.required, "schema": p.schema,
                 **({"description": p.description} if p.description else {})}
                for p in params
            ]
        if body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        if extra_content is not None:
            op["requestBody"] = {"required": True, "content": extra_content}
        if auth:
            op["security"] = [{"bearer": []}]
        self.paths.setdefault(self.prefix + path, {})[method.lower()] = op
        api.router.add_route(method, path, self._wrap(handler, params, body))

    def _wrap(self, handler: Handler, params: Sequence[Param], body: Schema | None) -> Handler:
        check = validator(self, body) if body is not None else None

        async def wrapped(request: web.Request) -> web.StreamResponse:
            values: dict[str, Any] = {}
            for p in params:
                raw = request.match_info.get(p.name) if p.where == "path" else request.query.get(p.name)
                if raw is None:
                    if p.required:
                        raise ApiError(400, "invalid", f"缺少参数 {p.name}", p.name)
                    values[p.name] = p.schema.get("default")
                    continue
                values[p.name] = _param_value(p, raw)
            request[PARAMS] = values
            if body is not None:
                if request.content_type != "application/json":
                    raise ApiError(415, "unsupported_media_type", "请以 application/json 提交。")
                try:
                    data = clean_json(json.loads(await request.read()))  # control characters dropped
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "invalid_json", "请求内容不是有效的 JSON。") from None
                validate(check, data)  # type: ignore[arg-type]
                request[BODY] = data
            return await handler(request)

        wrapped.__name__ = handler.__name__
        return wrapped

    def document(self) -> dict[str, Any]:
        """The OpenAPI 3.0 document."""
        return {
            "openapi": "3.0.3",
            "info": {"title": self.title, "version": self.version},
            "servers": [{"url": "/"}],
            "paths": copy.deepcopy(self.paths),
            "components": {
                "schemas": copy.deepcopy(self.schemas),
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                               "description": "POST /api/v1/auth/login 返回的 token"}},
            },
        }


def _param_value(p: Param, raw: str) -> Any:
    if p.schema.get("type") == "integer":
        if not re.fullmatch(r"-?\d{1,20}", raw.strip()):
            raise ApiError(400 if p.where == "query" else 404, "invalid" if p.where == "query" else "not_found",
                           f"参数 {p.name} 应为整数。" if p.where == "query" else "没有找到。", p.name)
        value = int(raw)
        lo, hi = p.schema.get("minimum"), p.schema.get("maximum")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if p.where == "path":
                raise ApiError(404, "not_found", "没有找到。", p.name)
            raise ApiError(400, "invalid", f"参数 {p.name} 应在 {lo} 到 {hi} 之间。", p.name)
        return value
    return raw


_TYPE_WORDS = {"object": "对象", "array": "列表", "string": "文字", "integer": "整数", "boolean": "true/false"}
_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    """A calendar date written YYYY-MM-DD (2026-02-30 is not one)."""
    return not isinstance(value, str) or (bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))
                                          and bool(dt.date.fromisoformat(value)))


def json_schema(spec: ApiSpec, schema: Schema) -> Schema:
    """The OpenAPI 3.0 schema as plain JSON Schema: references resolved, `nullable` as a null type."""
    schema = spec.resolve(schema)
    out = {k: v for k, v in schema.items() if k not in {"nullable", "description", "example"}}
    if schema.get("nullable") and "type" in schema:
        out["type"] = [schema["type"], "null"]
        if "enum" in schema:
            out["enum"] = [*schema["enum"], None]
    if "properties" in schema:
        out["properties"] = {k: json_schema(spec, v) for k, v in schema["properties"].items()}
    if "items" in schema:
        out["items"] = json_schema(spec, schema["items"])
    return out


def validator(spec: ApiSpec, schema: Schema) -> jsonschema.protocols.Validator:
    """A jsonschema validator of a request body, made once when the route is registered."""
    plain = json_schema(spec, schema)
    cls = jsonschema.validators.validator_for(plain, default=jsonschema.Draft7Validator)
    cls.check_schema(plain)
    return cls(plain, format_checker=_FORMATS)  # type: ignore[no-any-return]


def validate(check: jsonschema.protocols.Validator, value: Any) -> None:
    """Check a request body; the first problem becomes ApiError(400) in Chinese, naming the field."""
    error = jsonschema.exceptions.best_match(check.iter_errors(value))
    if error is not None:
        raise _api_error(error)


def _api_error(e: jsonschema.ValidationError) -> ApiError:
    path = [p for p in e.absolute_path if isinstance(p, str)]
    where = path[-1] if path else ""
    name = where or "请求内容"
    v, schema = e.validator, e.schema if isinstance(e.schema, dict) else {}
    if v == "type":
        if e.instance is None:
            return ApiError(400, "invalid", f"{name} 不能为空。", where)
        types = schema.get("type")
        candidates = [types] if isinstance(types, str) else list(types or [])
        typ = next((t for t in candidates if t != "null"), "")
        return ApiError(400, "invalid", f"{name} 应为{_TYPE_WORDS.get(typ, typ)}。", where)
    if v == "enum":
        options = [str(x) for x in schema.get("enum", []) if x is not None]
        return ApiError(400, "invalid", f"{name} 应为以下之一：{'、'.join(options)}。", where)
    if v == "minimum":
        return ApiError(400, "invalid", f"{name} 不能小于 {schema['minimum']}。", where)
    if v == "maximum":
        return ApiError(400, "invalid", f"{name} 不能大于 {schema['maximum']}。", where)
    if v == "minLength":
        return ApiError(400, "invalid", f"{name} 不能为空。", where)
    if v == "maxLength":
        return ApiError(400, "invalid", f"{name} 最多 {schema['maxLength']} 个字。", where)
    if v == "format":
        return ApiError(400, "invalid", f"{name} 应为日期，如 2026-05-12。", where)
    if v == "required":
        missing = next((k for k in schema.get("required", []) if k not in e.instance), "")
        return ApiError(400, "invalid", f"缺少 {missing}。", missing)
    if v == "additionalProperties":
        extra = next((k for k in e.instance if k not in schema.get("properties", {})), "")
        return ApiError(400, "invalid", f"不认识的字段：{extra[:32]}。", extra[:32])
    if v == "minProperties":
        return ApiError(400, "invalid", "请至少提供一个要修改的字段。", where)
    return ApiError(400, "invalid", f"{name} 不符合要求。", where)
