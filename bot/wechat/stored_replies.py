"""Replies as stored in the reply cache and the customer-service queue: one string each."""

from __future__ import annotations

import json
from dataclasses import asdict

from handlers.core.types import Article, Articles, Reply

DELEGATED = "__delegated__"  # the answer goes out through the customer-service API instead


def dump_reply(reply: Reply) -> str:
    """Serialize a reply: a text reply as 't' + text, news as 'a' + JSON, none as 'n'."""
    if isinstance(reply, Articles):
        return "a" + json.dumps([asdict(a) for a in reply.items], ensure_ascii=False)
    if reply is None:
        return "n"
    return "t" + reply


def load_reply(raw: str) -> Reply:
    """Inverse of dump_reply; also reads the JSON form earlier versions stored (a rolling upgrade)."""
    kind = raw[:1]
    if kind == "t":
        return raw[1:]
    if kind == "a":
        return Articles(tuple(Article(**a) for a in json.loads(raw[1:])))
    if kind == "n":
        return None
    data = json.loads(raw)
    if "articles" in data:
        return Articles(tuple(Article(**a) for a in data["articles"]))
    text: str | None = data["text"]
    return text
