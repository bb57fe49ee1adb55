"""WeChat API error codes in words an operator reads in the log, and which of them are worth a retry."""

from __future__ import annotations

from typing import Any

# The codes a town's deployment meets; the rest are logged with their number and WeChat's errmsg.
MESSAGES: dict[int, str] = {
    -1: "微信系统繁忙，稍后重试",
    40001: "access_token 无效或 AppSecret 错误",
    40002: "grant_type 不合法",
    40003: "openid 不合法（不是本公众号的用户）",
    40013: "AppID 不合法",
    40014: "access_token 不合法",
    40029: "小程序登录 code 无效或已用过",
    40125: "AppSecret 不正确",
    40163: "小程序登录 code 已被使用",
    40164: "调用接口的 IP 不在白名单内",
    41001: "缺少 access_token",
    42001: "access_token 已过期",
    43004: "用户未关注公众号",
    45009: "接口调用超过每日限额",
    45011: "接口调用太频繁，请稍候",
    45015: "用户超过48小时未互动，不能发客服消息",
    45047: "客服消息条数超过限制",
    46003: "菜单不存在",
    48001: "公众号没有这个接口的权限（未认证或未开通）",
    50001: "用户未授权该接口",
    65301: "个性化菜单不存在",
    65303: "没有默认菜单，不能创建个性化菜单",
    40054: "菜单里的网址不合法",
    40027: "菜单里的小程序 appid 不合法或未关联",
}

RETRY = frozenset({-1, 45009, 45011})  # busy or rate-limited: back off and try again
TOKEN_INVALID = frozenset({40001, 40014, 42001})  # refresh the access token once, then retry


def errcode(data: dict[str, Any]) -> int:
    """The errcode of a WeChat answer (0 when it succeeded)."""
    try:
        return int(data.get("errcode") or 0)
    except (TypeError, ValueError):
        return -1


def describe_error(data: dict[str, Any]) -> str:
    """'40029 小程序登录 code 无效或已用过 (invalid code)' for a WeChat error answer."""
    code = errcode(data)
    words = MESSAGES.get(code, "未知错误")
    return f"{code} {words} ({str(data.get('errmsg', ''))[:80]})"
