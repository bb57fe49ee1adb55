"""WeChat's callback protocol, free of aiohttp: signatures, time window, safe XML, AES, replies."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

from handlers.core.types import Articles, Message, Reply


class ProtocolError(Exception):
    """A request that must not reach a handler; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature(token: str, *parts: str) -> str:
    """sha1 of the sorted concatenation: WeChat's signature and msg_signature."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def check_signature(expected: str, given: str) -> None:
    """Compare in constant time."""
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise ProtocolError(403, "bad signature")


def check_timestamp(timestamp: str, tolerance: int, now: float | None = None) -> int:
    """The request's timestamp must be within `tolerance` seconds of now."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        raise ProtocolError(403, "bad timestamp") from None
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        raise ProtocolError(403, "stale timestamp")
    return ts


class _Refused(Exception):
    pass


class _FlatReader:
    """Reads `<xml><Tag>text</Tag>...</xml>` with expat into {Tag: text}, without building a tree.

    A child's value is its text before any nested element (as ElementTree's `.text`); a repeated tag
    keeps the last value. A DOCTYPE, an entity declaration or an external reference stops the parse:
    there is nothing to expand, so no billion laughs and no XXE.
    """

    __slots__ = ("cut", "depth", "fields", "parts", "root", "tag")

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.depth = 0
        self.root = ""
        self.tag = ""
        self.parts: list[str] = []  # all text since the current child began (expat appends to it directly)
        self.cut = -1  # where the child's first nested element began, -1 while there is none

    def start(self, name: str, attrs: object) -> None:
        self.depth += 1
        if self.depth == 2:
            self.tag, self.cut = name, -1
            self.parts.clear()  # the root's own text between children is not a field
        elif self.depth == 1:
            self.root = name
        elif self.cut < 0:
            self.cut = len(self.parts)

    def end(self, name: str) -> None:
        if self.depth == 2:
            parts = self.parts if self.cut < 0 else self.parts[:self.cut]
            self.fields[self.tag] = "".join(parts)
        self.depth -= 1

    @staticmethod
    def refuse(*args: object) -> NoReturn:
        raise _Refused()

    def parse(self, body: bytes) -> dict[str, str]:
        p = expat.ParserCreate()
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self.refuse
        p.EntityDeclHandler = self.refuse
        p.UnparsedEntityDeclHandler = self.refuse
        p.ExternalEntityRefHandler = self.refuse
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.parts.append  # text costs no Python call of its own
        p.buffer_text = True
        p.Parse(body, True)
        return self.fields


def parse_xml(body: bytes) -> dict[str, str]:
    """Parse a flat WeChat XML document; a DTD or entity declaration, met as parsed structure, is refused.

    The parser refuses it (not a search of the bytes), so a villager's text that merely contains
    "<!DOCTYPE" inside CDATA is text.
    """
    reader = _FlatReader()
    try:
        fields = reader.parse(body)
    except _Refused:
        raise ProtocolError(400, "DTD or entity declaration") from None
    except LookupError:  # <?xml encoding="bogus"?>
        raise ProtocolError(400, "unknown encoding") from None
    except (expat.ExpatError, ValueError):
        raise ProtocolError(400, "malformed XML") from None
    if reader.root != "xml":
        raise ProtocolError(400, "not a WeChat message")
    return fields


@dataclass(frozen=True)
class Incoming:
    """A verified, decrypted request: the message XML and whether the reply must be encrypted."""

    xml: bytes
    encrypted: bool


class WeChatCodec:
    """Verifies and decrypts requests, encrypts replies, per the configured mode."""

    def __init__(self, token: str, appid: str, aes_key: str, mode: str, tolerance: int = 300) -> None:
        self.token = token
        self.appid = appid
        self.mode = mode
        self.tolerance = tolerance
        self.crypto = WeChatCrypto(token, aes_key, appid) if mode != "plain" and aes_key else None

    def verify_url(self, query: dict[str, str]) -> str:
        """The GET check: answer echostr unchanged when the signature is right."""
        ts, nonce = query.get("timestamp", ""), query.get("nonce", "")
        check_signature(signature(self.token, ts, nonce), query.get("signature", ""))
        check_timestamp(ts, self.tolerance)
        return query.get("echostr", "")

    def open(self, query: dict[str, str], body: bytes) -> Incoming:
        """Check signature and time, decrypt if needed; the XML is checked for safety by the caller."""
        ts, nonce = query.get("timestamp", ""), query.get("nonce", "")
        check_signature(signature(self.token, ts, nonce), query.get("signature", ""))
        check_timestamp(ts, self.tolerance)
        if query.get("encrypt_type", "raw").lower() == "aes":
            if self.crypto is None:
                raise ProtocolError(400, "encrypted message but the server is in plain mode")
            envelope = parse_xml(body)
            encrypt = envelope.get("Encrypt", "")
            if not encrypt:
                raise ProtocolError(400, "no Encrypt element")
            check_signature(signature(self.token, ts, nonce, encrypt), query.get("msg_signature", ""))
            try:
                xml = PrpCrypto(self.crypto.key).decrypt(encrypt, self.appid)
            except InvalidAppIdException:
                raise ProtocolError(403, "wrong appid") from None
            except Exception:
                raise ProtocolError(400, "cannot decrypt") from None
            return Incoming(xml if isinstance(xml, bytes) else xml.encode(), True)
        if self.mode == "safe":
            raise ProtocolError(403, "safe mode requires encrypted messages")
        return Incoming(body, False)

    def seal(self, reply_xml: str, incoming: Incoming, nonce: str, timestamp: str) -> str:
        """Encrypt a reply when the request was encrypted."""
        if incoming.encrypted and self.crypto is not None:
            return str(self.crypto.encrypt_message(reply_xml, nonce, timestamp))
        return reply_xml


def to_message(xml: bytes) -> Message:
    """Build a Message from the request XML (checked for DTDs and entities first)."""
    fields = parse_xml(xml)
    if not fields.get("FromUserName") or not fields.get("MsgType"):
        raise ProtocolError(400, "not a WeChat message")
    try:
        create_time = int(fields.get("CreateTime", "0") or 0)
    except ValueError:
        raise ProtocolError(400, "bad CreateTime") from None
    msg = Message(
        openid=fields["FromUserName"],
        to_user=fields.get("ToUserName", ""),
        type=fields["MsgType"].lower(),
        content=fields.get("Content", ""),
        event=fields.get("Event", "").lower(),
        event_key=fields.get("EventKey", ""),
        msg_id=fields.get("MsgId", "") or fields.get("MsgID", ""),
        create_time=create_time,
        media_id=fields.get("MediaId", ""),
        pic_url=fields.get("PicUrl", ""),
        recognition=fields.get("Recognition", ""),
        raw=fields,
    )
    return msg


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed anywhere in XML 1.0


def _cdata(value: str) -> str:
    """Text as CDATA that stays CDATA: a ']]>' inside is split across two sections."""
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_reply(reply: Reply, msg: Message) -> str:
    """The passive reply XML (WeChat's text or news format); None becomes WeChat's 'success'.

    Written here rather than with wechatpy's reply classes, which put text into CDATA unescaped: a
    reply quoting a user's ']]>' would be XML WeChat cannot read.
    """
    if reply is None:
        return "success"
    head = (f"<xml><ToUserName>{_cdata(msg.openid)}</ToUserName><FromUserName>{_cdata(msg.to_user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime>")
    if isinstance(reply, Articles):
        items = reply.items[:8]
        body = "".join(
            f"<item><Title>{_cdata(a.title)}</Title><Description>{_cdata(a.description)}</Description>"
            f"<PicUrl>{_cdata(a.image)}</PicUrl><Url>{_cdata(a.url)}</Url></item>"
            for a in items
        )
        return f"{head}<MsgType><![CDATA[news]]></MsgType><ArticleCount>{len(items)}</ArticleCount>" \
               f"<Articles>{body}</Articles></xml>"
    return f"{head}<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(reply)}</Content></xml>"
