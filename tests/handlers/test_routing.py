"""The route index: a message reaches the handler a scan of every handler's filters would pick."""

from __future__ import annotations

import itertools
from typing import Any

from handlers import build_router
from handlers.core import Context, FSMContext, MemoryStateStorage, Message, State
from handlers.core.routing import RouteIndex
from models.core import Role

TEXTS = ["帮助", "帮助？", " 帮助 ", "HELP", "取消", "更多", "绑定 ABC123", "绑定ABC123", "解绑", "登记排查",
         "排查 张家村 邻里纠纷 已化解", "我的排查", "登记活动", "活动 今天 普法讲座 30人", "修改 3 人数 20", "撤回 3",
         "统计", "统计2025年", "调解申请", "我的案件", "查询 永调字第12号", "1", "２", "4", "是", "民法典第1127条",
         "我老公天天打我，我想离婚", "邻居占了我家宅基地怎么办", "谢谢", "张三", "2025-05-01", "ok", "?",
         "？", "。"]


def messages() -> list[Message]:
    found = [Message(openid="u", type="text", content=t) for t in TEXTS]
    found += [Message(openid="u", type="voice", recognition=t) for t in ("帮助。", "工伤怎么赔", "")]
    found += [Message(openid="u", type="event", event=e, event_key=k)
              for e, k in (("subscribe", ""), ("SCAN", "invite_1"), ("click", "帮助"), ("click", "law_help"),
                           ("unsubscribe", ""), ("VIEW", "https://x"))]
    found += [Message(openid="u", type=t) for t in ("image", "location", "link", "video", "file")]
    return found


async def first(candidates: Any, msg: Message, data: dict[str, Any]) -> str | None:
    """The handler the dispatcher would run: the first of the candidates whose filters all match."""
    for handler, _ in candidates:
        if await handler.match(msg, data) is not None:
            return str(handler.func.__qualname__)
    return None


async def test_every_message_reaches_the_handler_a_full_scan_picks(make_settings) -> None:
    router = build_router()
    handlers = list(router.walk())
    index = RouteIndex(handlers)
    states = [None, "Choice:pick", *sorted({f.name for h, _ in handlers for f in h.filters if isinstance(f, State)}),
              "Gone:step"]
    settings = make_settings()
    tried = 0
    for msg, state, role in itertools.product(messages(), states, list(Role)):
        storage = MemoryStateStorage()
        if state is not None:
            await storage.set("k", {"state": state, "data": {}}, 60)
        data: dict[str, Any] = {"settings": settings, "ctx": Context(openid="u", role=role),
                                "state": FSMContext(storage, "k", 60)}
        expected = await first(handlers, msg, data)
        assert await first(await index.reachable(msg, data), msg, data) == expected, (msg, state, role)
        tried += 1
    assert tried > 1000
    # a villager's question with no form tries a few handlers, not all of them
    data = {"settings": settings, "ctx": Context(openid="u"), "state": FSMContext(MemoryStateStorage(), "k", 60)}
    reachable = await index.reachable(Message(openid="u", type="text", content="邻居占了我家宅基地"), data)
    assert len(reachable) < len(handlers) / 4
