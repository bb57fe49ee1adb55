"""Villagers' legal questions: statute lookup, FAQ answers, the top-3 choice, and the honest fallback."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from handlers.core import Context, FSMContext, Message, NoState, Regex, Router, State, StatesGroup
from handlers.core.fsm import FormsPaused
from knowledge.answering import Knowledge
from knowledge.replies import format_answer, format_reply, format_statute
from knowledge.reply import Reply
from knowledge.statutes import looks_like_statute_query, lookup

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time

log = logging.getLogger("mingbai.legal")
router = Router("legal")

router.menu_line("查法条：发送“民法典第1127条”“人民调解法33条”", order=20)


class Choice(StatesGroup, transient=True):
    """The user was offered numbered entries (a choice, or related questions) and may answer 1, 2 or 3
    (or send any command)."""

    pick = State()


QuestionLogger = Callable[[Context, str, Reply | None], Awaitable[None]]


async def no_log(ctx: Context, question: str, result: Reply | None) -> None:
    """The question logger of `mingbai ask`: nothing is kept."""


def _statute_query(msg: Message, data: dict[str, Any]) -> bool:
    return looks_like_statute_query(msg.text)


@router.text(NoState(), _statute_query)
async def statute(msg: Message, ctx: Context, question_log: QuestionLogger = no_log) -> str:
    """'民法典第1127条' → the article's text, or a clear 没有找到."""
    await question_log(ctx, msg.text, None)
    return format_statute(lookup(msg.text))


@router.text(Choice.pick, Regex(r"^[1-3１-３]$"))
async def picked(msg: Message, state: FSMContext, knowledge: Knowledge) -> str:
    """The answer to the entry the user picked from the numbered list."""
    ids: list[str] = (await state.get_data()).get("choices", [])
    await state.clear()
    index = int(msg.text.translate(str.maketrans("１２３", "123"))) - 1
    kb = knowledge.kb
    if index >= len(ids) or ids[index] not in kb:
        return "没有这个选项。请直接把您的问题再说一遍。"
    return format_answer(kb.entry(ids[index]))


@router.text(Choice.pick)
async def not_a_choice(msg: Message, ctx: Context, state: FSMContext, settings: Settings, knowledge: Knowledge,
                       question_log: QuestionLogger = no_log) -> str:
    """Anything but 1-3 after a choice is a new question: its own offer replaces the old one, if any."""
    return await _answer(msg, ctx, state, settings, knowledge, question_log, offered=True)


@router.text(NoState())
async def answer(msg: Message, ctx: Context, state: FSMContext, settings: Settings, knowledge: Knowledge,
                 question_log: QuestionLogger = no_log) -> str:
    """Answer first; a choice only between topics; statutes for the rest — never an invented answer."""
    return await _answer(msg, ctx, state, settings, knowledge, question_log, offered=False)


async def _answer(msg: Message, ctx: Context, state: FSMContext, settings: Settings, knowledge: Knowledge,
                  question_log: QuestionLogger, *, offered: bool) -> str:
    """The reply; numbered entries are kept as the user's offer (one write), an older offer is cleared."""
    reply = knowledge.respond(msg.text)
    if reply.kind != "smalltalk":
        await question_log(ctx, msg.text, reply)
    if reply.kind in ("answer", "choices") and len(reply.entries) > 1:
        try:
            await state.set_state(Choice.pick, choices=[e.id for e in reply.entries[:3]])
        except FormsPaused:  # no conversation state while Redis is down: the answer still goes out, the same text
            if reply.kind == "choices":  # (a retry on another process must not get a different reply)
                raise
    elif offered:
        await state.clear()
    return format_reply(reply, settings.town.studio_name)


def asker_hash(secret_key: str, openid: str) -> str:
    """A keyed hash of the openid: questions can be counted per person, never traced back."""
    return hmac.new(secret_key.encode(), openid.encode(), hashlib.sha256).hexdigest()[:32]


class DatabaseQuestionLog:
    """Keeps each question (anonymised) in the question log, off the reply path.

    Rows wait in a bounded queue and one writer inserts them in batches, so a slow database costs
    log lines (counted in `dropped`), never memory or the villager's answer. The writer gathers
    rows for `interval` seconds before a write unless a whole batch is already waiting: one village
    lookup and one insert for many questions (the log was ~14% of a legal question's CPU written ~5
    rows at a time; gathering saves 3–5% in bench/ab.py: README, Benchmarks).
    """

    def __init__(self, secret_key: str, max_pending: int = 10_000, batch: int = 500, interval: float = 0.5) -> None:
        self.secret_key = secret_key
        self.batch = batch
        self.interval = interval
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max_pending)
        self.dropped = 0
        self.writer: asyncio.Task[None] | None = None
        self.hurry = asyncio.Event()  # set at shutdown: write what is queued without gathering more

    async def __call__(self, ctx: Context, question: str, result: Reply | None) -> None:
        from models.questions import QuestionLog

        top = result.entries[0] if result and result.entries else None
        row = QuestionLog(  # phones and ID numbers are masked when it is written (services.question_log.log_questions)
            town_id=ctx.town_id, asker=asker_hash(self.secret_key, ctx.openid), question=question,
            entry_id=top.id if top else None, topic=top.topic if top else "",
            band=result.band if result else "statute", score=round(result.confidence, 4) if result else 1.0,
        )
        try:
            self.queue.put_nowait((row, ctx.openid))  # the openid finds the asker's village, then is dropped
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("question log backlog full: %d lines dropped so far", self.dropped)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        from services.question_log import log_questions

        while True:
            rows = [await self.queue.get()]
            if self.queue.qsize() < self.batch - 1 and not self.hurry.is_set():
                with contextlib.suppress(TimeoutError):  # let more questions join this write
                    await asyncio.wait_for(self.hurry.wait(), self.interval)
            while len(rows) < self.batch and not self.queue.empty():
                rows.append(self.queue.get_nowait())
            try:
                await log_questions(rows)
            except Exception as exc:  # a lost log line must never cost the villager the answer
                log.warning("question log write failed (%d lines): %s", len(rows), type(exc).__name__)
            finally:
                for _ in rows:
                    self.queue.task_done()

    async def drain(self, timeout: float = 5.0) -> None:
        """Write what is queued (shutdown), then stop the writer."""
        self.hurry.set()
        if self.writer is not None:
            try:
                await asyncio.wait_for(self.queue.join(), timeout)
            except TimeoutError:
                log.warning("question log: %d lines not written at shutdown", self.queue.qsize())
            self.writer.cancel()
