"""The conversation framework: filters, injection, forms over both storages, paging."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st

from bot.wechat.stored_replies import DELEGATED, dump_reply, load_reply
from handlers.core import (
    Command,
    Context,
    Dispatcher,
    Exact,
    FSMContext,
    MemoryStateStorage,
    Message,
    RedisStateStorage,
    Regex,
    RoleIs,
    Router,
    State,
    StatesGroup,
)
from handlers.core.fsm import PAUSED, StateUnavailable
from handlers.core.middlewares import context_from_json, context_to_json
from handlers.core.paging import MAX_REPLY_BYTES, split_text
from handlers.core.types import Article, Articles
from models.core import Role


class Survey(StatesGroup):
    name = State()
    age = State()


def build() -> Router:
    router = Router("t")

    @router.text(Command("问卷"))
    async def start(state: FSMContext) -> str:
        await state.set_state(Survey.name)
        return "您的名字？"

    @router.text(Survey.name)
    async def got_name(msg: Message, state: FSMContext) -> str:
        await state.update_data(name=msg.text)
        await state.set_state(Survey.age)
        return "年龄？"

    @router.text(Survey.age, Regex(r"^\d+$"))
    async def got_age(match, state: FSMContext) -> str:
        data = await state.get_data()
        await state.clear()
        return f"{data['name']}，{match.group(0)}岁"

    @router.text(Survey.age)
    async def bad_age(msg: Message) -> str:
        return "请只填数字"

    @router.text(Command("绑定"), RoleIs(Role.HELPER))
    @router.text(Exact("管理"), RoleIs(Role.ADMIN))
    async def privileged(args: str = "", ctx: Context | None = None) -> str:
        return f"ok {args}".strip()

    @router.text()
    async def other(msg: Message) -> str:
        return "其他"

    return router


def message(text: str, n: int = 0) -> Message:
    return Message(openid="u", type="text", content=text, msg_id=str(n))


@pytest.fixture(params=["memory", "redis"])
async def storage(request: pytest.FixtureRequest, redis_url: str):
    if request.param == "memory":
        yield MemoryStateStorage()
    else:
        client = aioredis.from_url(redis_url)
        yield RedisStateStorage(client)
        await client.aclose()


async def test_form_steps_and_validation(storage) -> None:
    d = Dispatcher(build(), storage)
    assert await d.feed(message("问卷")) == "您的名字？"
    assert await d.feed(message("张三")) == "年龄？"
    assert await d.feed(message("三十")) == "请只填数字"
    assert await d.feed(message("30")) == "张三，30岁"
    assert await d.feed(message("30")) == "其他"  # the form is over


async def test_filters_and_or_and_role(storage) -> None:
    d = Dispatcher(build(), storage)
    helper = Context(openid="u", role=Role.HELPER)
    admin = Context(openid="u", role=Role.ADMIN)
    villager = Context(openid="u")
    assert await d.feed(message("绑定 AB12"), helper) == "ok AB12"
    assert await d.feed(message("绑定 AB12"), villager) == "其他"
    assert await d.feed(message("管理"), admin) == "ok"
    assert await d.feed(message("管理"), helper) == "其他"


async def test_form_state_expires(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    d = Dispatcher(build(), RedisStateStorage(client), form_ttl=1)
    await d.feed(message("问卷"))
    assert await client.ttl("mingbai:fsm:state:u") in (0, 1)
    await client.aclose()


async def test_negated_filter_matches_exactly_when_the_filter_does_not() -> None:
    router = Router("t")

    @router.text(Command("绑定"), ~RoleIs(Role.HELPER))
    async def refused(args: str) -> str:
        return f"不能绑定 {args}"

    @router.text()
    async def other(msg: Message) -> str:
        return "其他"

    d = Dispatcher(router, MemoryStateStorage())
    assert await d.feed(message("绑定 X1"), Context(openid="u")) == "不能绑定 X1"
    assert await d.feed(message("绑定 X1"), Context(openid="u", role=Role.HELPER)) == "其他"


class DownStorage(MemoryStateStorage):
    """A state storage whose store cannot be reached."""

    async def get(self, key: str) -> dict | None:
        raise StateUnavailable("down")

    async def set(self, key: str, value: dict, ttl: int) -> None:
        raise StateUnavailable("down")

    async def delete(self, key: str) -> None:
        raise StateUnavailable("down")


async def test_forms_pause_while_the_state_storage_is_down_and_other_replies_say_so() -> None:
    forms = Router("forms", forms=True)

    @forms.text(Command("记录"))
    async def write(msg: Message) -> str:  # writes a record: must not run on a guess
        raise AssertionError("a forms handler ran while its state was unknown")

    root = Router("root")
    root.include(forms, build())
    d = Dispatcher(root, DownStorage())
    assert await d.feed(message("问卷")) == PAUSED  # starting a form would keep a step nowhere
    assert await d.feed(message("记录 1")) == PAUSED
    reply = await d.feed(message("你好"))  # everything else is answered, with the pause said first
    assert reply.startswith("（系统维护中") and reply.endswith("其他")


async def test_plain_and_awaitable_filters_mix_and_pass_their_data_on() -> None:
    router = Router("t")
    seen: list[str] = []

    def word(msg: Message, data: dict) -> dict | None:
        return {"word": msg.text} if msg.text.startswith("查") else None

    async def looked_up(msg: Message, data: dict) -> dict | bool:
        seen.append(data["word"])  # a later filter sees what an earlier one found
        return {"found": data["word"][1:]} if data["word"] != "查无" else False

    def long_enough(msg: Message, data: dict) -> bool:
        return len(data["found"]) > 1

    @router.text(word, looked_up, long_enough)
    async def lookup(word: str, found: str) -> str:
        return f"{word}:{found}"

    @router.text(word, looked_up)
    async def short(found: str) -> str:
        return f"短:{found}"

    @router.text()
    async def other(msg: Message) -> str:
        return "其他"

    d = Dispatcher(router, MemoryStateStorage())
    assert await d.feed(message("查合同")) == "查合同:合同"
    assert await d.feed(message("查房")) == "短:房"  # the first handler's last filter said no
    assert await d.feed(message("查无")) == "其他"  # the awaitable filter said no to both
    assert await d.feed(message("你好")) == "其他"  # the plain filter said no before anything awaited
    assert seen == ["查合同", "查房", "查房", "查无", "查无"]


async def test_unknown_dependency_is_an_error() -> None:
    router = Router("t")

    @router.text()
    async def needs(nothing_like_this: str) -> str:
        return "x"

    with pytest.raises(LookupError):
        await Dispatcher(router, MemoryStateStorage()).feed(message("hi"))


@pytest.mark.parametrize("text", ["短", "法" * 5000, ("第一行\n" * 900), "a" * 4096 + "法" * 3])
def test_split_text_fits_and_keeps_everything(text: str) -> None:
    pages = split_text(text)
    assert all(len(p.encode()) <= MAX_REPLY_BYTES for p in pages)
    rebuilt = "".join(p.split("\n\n（内容较长")[0] for p in pages)
    assert rebuilt.replace("\n", "") == text.replace("\n", "")


@given(st.one_of(
    st.none(),
    st.text(),
    st.builds(lambda items: Articles(tuple(items)),
              st.lists(st.builds(Article, st.text(), st.text(), st.text(), st.text()), max_size=8)),
))
def test_a_cached_reply_reads_back_as_it_was(reply: str | Articles | None) -> None:
    raw = dump_reply(reply)
    assert load_reply(raw) == reply
    assert raw != DELEGATED  # a stored reply is never taken for "answered through customer service"


def test_replies_cached_by_earlier_versions_still_read() -> None:
    assert load_reply('{"text": "您好"}') == "您好"
    assert load_reply('{"text": null}') is None
    assert load_reply('{"articles": [{"title": "调解", "description": "", "url": "u", "image": ""}]}') == \
        Articles((Article("调解", url="u"),))


def test_a_cached_user_reads_back_as_a_fresh_context_each_time() -> None:
    helper = Context(openid="o-1", role=Role.HELPER, user_id=7, town_id=2, display_name="王明白")
    raw = context_to_json(helper)
    first, second = context_from_json(raw), context_from_json(raw)
    assert first == helper and second == helper
    first.extras["degraded"] = True  # one message's context is its own
    assert second.extras == {} and context_from_json(raw).extras == {}
    promoted = context_from_json(context_to_json(Context(openid="o-1", role=Role.MEDIATOR, user_id=7, town_id=2)))
    assert promoted.role is Role.MEDIATOR
