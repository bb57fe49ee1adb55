"""What a handler sees (Message, Context) and may return (Reply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.core import Role


@dataclass(frozen=True)
class Article:
    """One item of a news (图文) reply."""

    title: str
    description: str = ""
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class Articles:
    """A news reply; WeChat shows at most 8 items."""

    items: tuple[Article, ...]


Reply = str | Articles | None


@dataclass(frozen=True)
class Message:
    """A parsed incoming message, free of XML and HTTP."""

    openid: str
    type: str  # text, voice, image, location, link, video, shortvideo, event, ...
    content: str = ""
    event: str = ""  # subscribe, unsubscribe, click, view, scan ...
    event_key: str = ""
    msg_id: str = ""
    create_time: int = 0
    media_id: str = ""
    pic_url: str = ""
    recognition: str = ""
    to_user: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The words of the message: typed text, or the recognised text of a voice message."""
        if self.type == "text":
            return self.content.strip()
        if self.type == "voice":
            return self.recognition.strip().rstrip("。")
        if self.type == "event" and self.event == "click":
            return self.event_key.strip()
        return ""

    @property
    def dedup_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime for events (WeChat's retry identity)."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        return f"e:{self.openid}:{self.create_time}"


@dataclass
class Context:
    """Who is talking and where: the user loaded by middleware, their role and town."""

    openid: str
    role: Role = Role.VILLAGER
    user_id: int | None = None
    town_id: int | None = None
    display_name: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
