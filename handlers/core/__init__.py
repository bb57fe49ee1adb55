"""The conversation framework: routers, filters, forms, middlewares, dispatcher."""

from handlers.core.dispatcher import Dispatcher, Middleware
from handlers.core.filters import Command, Exact, NoState, Regex, RoleIs
from handlers.core.fsm import FSMContext, MemoryStateStorage, RedisStateStorage, State, StatesGroup
from handlers.core.router import Router
from handlers.core.types import Article, Articles, Context, Message, Reply

__all__ = [
    "Article",
    "Articles",
    "Command",
    "Context",
    "Dispatcher",
    "Exact",
    "FSMContext",
    "MemoryStateStorage",
    "Message",
    "Middleware",
    "NoState",
    "RedisStateStorage",
    "Regex",
    "Reply",
    "RoleIs",
    "Router",
    "State",
    "StatesGroup",
]
