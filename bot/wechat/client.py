"""The WeChat server's side of the protocol: signed (and encrypted) requests, reply parsing.

Used by `mingbai chat`, the tests and the benchmark to talk to the callback like WeChat does.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from wechatpy.crypto import WeChatCrypto

from bot.wechat.protocol import parse_xml, signature


def text_xml(
    openid: str, content: str, msg_id: int | str, to_user: str = "gh_mingbai", create_time: int | None = None
) -> str:
    """A text message as WeChat posts it."""
    return (
        f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{escape(content)}</Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, create_time: int | None = None, event_key: str = "") -> str:
    """An event (subscribe, CLICK ...) as WeChat posts it."""
    return (
        f"<xml><ToUserName><![CDATA[gh_mingbai]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
        f"<EventKey><![CDATA[{event_key}]]></EventKey></xml>"
    )


@dataclass
class SignedRequest:
    """Query string and body of one callback POST."""

    query: dict[str, str]
    body: bytes

    def url(self, base: str) -> str:
        """The full callback URL."""
        return f"{base}?{urlencode(self.query)}"


class WeChatSimulator:
    """Signs and encrypts like WeChat's servers, for a given token/appid/aes_key and mode."""

    def __init__(self, token: str, appid: str = "", aes_key: str = "", mode: str = "plain") -> None:
        self.token = token
        self.mode = mode
        self.crypto = WeChatCrypto(token, aes_key, appid) if mode != "plain" else None

    def sign(self, xml: str, timestamp: int | None = None, nonce: str | None = None) -> SignedRequest:
        """The request WeChat would send for this message XML."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        query = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": "x"}
        if self.crypto is None:
            return SignedRequest(query, xml.encode())
        envelope = self.crypto.encrypt_message(xml, nonce, ts)
        encrypt = parse_xml(envelope.encode())["Encrypt"]
        query |= {"encrypt_type": "aes", "msg_signature": signature(self.token, ts, nonce, encrypt)}
        if self.mode == "compat":
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        else:
            body = f"<xml><ToUserName><![CDATA[gh_mingbai]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        return SignedRequest(query, body.encode())

    def open_reply(self, body: str, query: dict[str, str]) -> dict[str, Any]:
        """Decrypt (if needed) and parse a reply; 'success' gives {}."""
        if body.strip() in ("", "success"):
            return {}
        if self.crypto is not None and query.get("encrypt_type") == "aes":
            fields = parse_xml(body.encode())
            xml = self.crypto.decrypt_message(body, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
            return parse_xml(xml.encode() if isinstance(xml, str) else xml)
        return parse_xml(body.encode())
