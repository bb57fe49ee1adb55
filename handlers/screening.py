"""矛盾纠纷排查 in chat: the guided form 登记排查, the one-line form, 我的排查 and 撤回排查."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from handlers.core import Context, Exact, FSMContext, Message, NoState, Regex, RoleIs, Router, State, StatesGroup
from models.activities import ActivityError, find_village
from models.core import Role, User
from models.parsing import ParseError, parse_count, parse_date, today
from models.screening import (
    Screening,
    ScreeningError,
    ScreeningLevel,
    ScreeningSource,
    create_screening,
    screening_to_withdraw,
    withdraw_screening,
)

router = Router("screening")

SCREENERS = (Role.HELPER, Role.ADMIN, Role.COUNTY_ADMIN)
TOWN_STAFF = (Role.ADMIN, Role.COUNTY_ADMIN)
NONE_WORDS = {"无", "没有", "不填", "跳过", "-", "—"}
TOWN_WIDE = {"全镇", "镇里", "镇级", "本镇"}
QUICK_EXAMPLE = "排查 11月28日 江湾村 发现3件 化解2件 登记1件 范围全村8个组"
CONFIRM_HINT = "回复“确认”保存；“取消”放弃。"

router.menu_line("登记排查：登记一次矛盾纠纷排查（发现、化解、登记调解各几件）", order=33, roles=set(SCREENERS))
router.menu_line(f"快速登记排查：{QUICK_EXAMPLE}", order=34, roles=set(SCREENERS))


class ScreeningForm(StatesGroup):
    """One question a step, then a card to confirm."""

    date = State()
    village = State()
    scope = State()
    found = State()
    resolved = State()
    registered = State()
    measures = State()
    confirm = State()


PROMPTS = {
    "date": "哪天排查的？可以回复“今天”“昨天”“11月28日”。",
    "village": "排查的是哪个村？请回复村名{home}{town}。",
    "scope": "排查范围是什么？比如“全村8个村民小组”“重点户走访”，没有就回复“无”。",
    "found": "发现了几件矛盾纠纷？回复数字，没有就回复“0”。",
    "resolved": "其中当场化解了几件？回复数字。",
    "registered": "其中登记交给调解（进入人民调解程序）的有几件？回复数字。",
    "measures": "采取了哪些稳控措施？比如“已通知网格员跟进”，没有就回复“无”。",
}
ORDER = ["date", "village", "scope", "found", "resolved", "registered", "measures"]
STATES = {name: getattr(ScreeningForm, name) for name in ORDER}


def _prompt(field: str, data: dict[str, Any]) -> str:
    if field != "village":
        return PROMPTS[field]
    home = f"，回复“本村”表示{data['home'][1]}" if data.get("home") else ""
    town = "；镇级排查回复“全镇”" if data.get("staff") else ""
    return PROMPTS["village"].format(home=home, town=town)


def card(data: dict[str, Any]) -> str:
    """The summary a helper confirms."""
    where = data.get("village_name") or "全镇（镇级排查）"
    lines = [
        f"日期：{dt.date.fromisoformat(data['date']):%Y年%-m月%-d日}",
        f"地点：{where}",
        f"排查范围：{data.get('scope') or '—'}",
        f"发现矛盾纠纷：{data.get('found', 0)}件",
        f"当场化解：{data.get('resolved', 0)}件",
        f"登记调解：{data.get('registered', 0)}件",
        f"稳控措施：{data.get('measures') or '—'}",
    ]
    return "\n".join(lines)


async def _me(ctx: Context) -> User | None:
    return await User.get_or_none(id=ctx.user_id).prefetch_related("village") if ctx.user_id else None


async def _parse(field: str, text: str, ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    t = text.strip()
    if field == "date":
        return {"date": parse_date(t).isoformat()}
    if field == "village":
        if t in {"本村", "我村", "同上"} and data.get("home"):
            return {"village_id": data["home"][0], "village_name": data["home"][1], "level": "village"}
        if t in TOWN_WIDE:
            if not data.get("staff"):
                raise ScreeningError("镇级排查由镇里的工作人员登记，请回复您排查的村名。")
            return {"village_id": None, "village_name": "", "level": "town"}
        v = await find_village(ctx.town_id or 0, t)
        return {"village_id": v.id, "village_name": v.name, "level": "village"}
    if field in {"scope", "measures"}:
        return {field: "" if t in NONE_WORDS else t[:500]}
    value = parse_count(t, field)
    if field == "resolved" and value > int(data.get("found", 0)):
        raise ScreeningError(f"当场化解的件数不能超过发现的{data.get('found', 0)}件。")
    if field == "registered" and value + int(data.get("resolved", 0)) > int(data.get("found", 0)):
        raise ScreeningError("当场化解和登记调解的件数加起来，不能超过发现的件数。")
    return {field: value}


async def _next(data: dict[str, Any], state: FSMContext) -> str:
    for field in ORDER:
        left = int(data.get("found") or 0) - (int(data.get("resolved") or 0) if field == "registered" else 0)
        if field in {"resolved", "registered"} and "found" in data and field not in data and left <= 0:
            data = await state.update_data(**{field: 0})  # nothing left to ask about
            continue
        have = "village_name" if field == "village" else field
        if have not in data:
            await state.set_state(STATES[field])
            return _prompt(field, data)
    await state.set_state(ScreeningForm.confirm)
    return f"请核对这次排查：\n{card(data)}\n{CONFIRM_HINT}"


@router.text(Exact("登记排查", "排查", "矛盾排查", "纠纷排查", "排查登记"), RoleIs(*SCREENERS))
async def start(ctx: Context, state: FSMContext) -> str:
    """Begin the guided form."""
    await state.clear()
    me = await _me(ctx)
    home = [me.village.id, me.village.name] if me and me.village else None
    staff = ctx.role in TOWN_STAFF
    await state.update_data(home=home, staff=staff)
    await state.set_state(ScreeningForm.date)
    return "好的，登记一次矛盾纠纷排查（随时回复“取消”退出）。\n" + PROMPTS["date"]


def _step(field: str) -> None:
    @router.text(STATES[field])
    async def step(msg: Message, ctx: Context, state: FSMContext) -> str:
        data = await state.get_data()
        try:
            value = await _parse(field, msg.text, ctx, data)
        except (ScreeningError, ActivityError, ParseError) as exc:
            return f"{exc}\n{_prompt(field, data)}"
        return await _next(await state.update_data(**value), state)

    step.__name__ = step.__qualname__ = f"on_{field}"


for _field in ORDER:
    _step(_field)


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "level": data.get("level") or ScreeningLevel.VILLAGE.value,
        "village_id": data.get("village_id"),
        "date": dt.date.fromisoformat(data["date"]),
        "scope": data.get("scope", ""),
        "found": int(data.get("found", 0)),
        "resolved": int(data.get("resolved", 0)),
        "registered": int(data.get("registered", 0)),
        "measures": data.get("measures", ""),
    }


@router.text(ScreeningForm.confirm, Exact("确认", "确定", "保存", "是", "对", "ok"))
async def confirm(ctx: Context, state: FSMContext) -> str:
    """Save the screening through the one service every door uses."""
    data = await state.get_data()
    try:
        saved = await create_screening(ctx.town_id or 0, await _me(ctx), _values(data),
                                       source=ScreeningSource.CHAT, today=today())
    except ScreeningError as exc:
        if exc.code == "exists":
            await state.clear()
            return f"{exc.message}回复“我的排查”查看。"
        return f"{exc.message}\n{CONFIRM_HINT}"
    await state.clear()
    return f"已保存排查记录，编号{saved.id}。辛苦了！撤回请回复“撤回排查 {saved.id}”。"


@router.text(ScreeningForm.confirm)
async def confirm_other(state: FSMContext) -> str:
    """Anything else at the card."""
    return f"请回复“确认”或“取消”。\n{card(await state.get_data())}"


_COUNTS = {
    "found": re.compile(r"发现(?:矛盾|纠纷|矛盾纠纷)?\s*([0-9零〇一二两三四五六七八九十百]+)\s*[件起个]?"),
    "resolved": re.compile(r"(?:当场)?化解\s*([0-9零〇一二两三四五六七八九十百]+)\s*[件起个]?"),
    "registered": re.compile(r"(?:登记|转调解|调解)\s*([0-9零〇一二两三四五六七八九十百]+)\s*[件起个]?"),
}
_TEXTS = {"scope": re.compile(r"范围[:：]?\s*(\S+)"), "measures": re.compile(r"(?:稳控|措施)[:：]?\s*(\S+)")}


async def parse_quick(text: str, ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Fields of '排查 11月28日 江湾村 发现3件 化解2件 登记1件 范围… 措施…' it can read; ParseError if wrong."""
    out: dict[str, Any] = {}
    rest = text
    for field, pattern in {**_COUNTS, **_TEXTS}.items():
        m = pattern.search(rest)
        if m:
            out.update(await _parse(field, m.group(1), ctx, {**data, **out}) if field in _COUNTS
                       else {field: m.group(1)[:500]})
            rest = rest[:m.start()] + " " + rest[m.end():]
    words = rest.split()
    if words:
        out.update(await _parse("date", words[0], ctx, data))
    if len(words) > 1:
        out.update(await _parse("village", words[1], ctx, data))
    if len(words) > 2:
        raise ParseError(f"没看懂“{' '.join(words[2:])[:20]}”。格式示例：{QUICK_EXAMPLE}")
    out.setdefault("scope", "")  # optional in the one-line form
    out.setdefault("measures", "")
    return out


@router.text(Regex(r"^(?:排查|登记排查)\s+\S"), RoleIs(*SCREENERS), NoState())
async def quick(msg: Message, ctx: Context, state: FSMContext) -> str:
    """The one-line form: what it could read, then the missing fields one at a time."""
    me = await _me(ctx)
    base = {"home": [me.village.id, me.village.name] if me and me.village else None,
            "staff": ctx.role in TOWN_STAFF}
    try:
        data = await parse_quick(msg.text.strip().split(maxsplit=1)[1], ctx, base)
    except (ScreeningError, ActivityError, ParseError) as exc:
        return str(exc)
    await state.clear()
    return await _next(await state.update_data(**base, **data), state)


@router.text(Exact("我的排查", "排查记录"), RoleIs(*SCREENERS))
async def mine(ctx: Context) -> str:
    """The person's latest screenings."""
    rows = await Screening.filter(author_id=ctx.user_id).order_by("-date", "-id").limit(10) \
        .prefetch_related("village") if ctx.user_id else []
    if not rows:
        return "您还没有登记过排查。回复“登记排查”开始。"
    lines = [f"{s.id}. {s.date:%-m月%-d日} {s.village.name if s.village else '全镇'} 发现{s.found}件 "
             f"化解{s.resolved}件 登记{s.registered}件{'（已撤回）' if s.withdrawn else ''}" for s in rows]
    return "您最近登记的排查：\n" + "\n".join(lines) + "\n\n撤回回复“撤回排查 编号”。"


@router.text(Regex(r"^撤回排查\s*(\d{1,12})$"), RoleIs(*SCREENERS), NoState())
async def withdraw(match: re.Match[str], ctx: Context) -> str:
    """撤回排查 12: the author, or the town's admin, withdraws a record."""
    number = int(match.group(1))
    found = await screening_to_withdraw(number, town_id=ctx.town_id, user_id=ctx.user_id, role=ctx.role)
    if found is None:
        return f"没有找到编号{number}的排查记录。回复“我的排查”查看编号。"
    try:
        await withdraw_screening(found)
    except ScreeningError as exc:
        return exc.message
    return f"已撤回编号{found.id}的排查记录，不再计入统计。"


@router.text(Regex(r"排查.{0,30}(纠纷|矛盾|发现|化解)|(纠纷|矛盾).{0,10}排查"), RoleIs(*SCREENERS), NoState())
async def screening_in_words(ctx: Context) -> str:
    """A helper telling of a screening in their own words: point to the form (it needs the counts)."""
    return (f"这是一次矛盾纠纷排查吧？请回复“登记排查”逐项登记，或一句话登记，例如：{QUICK_EXAMPLE}"
            "（发现、当场化解、登记调解各几件）。")


def _not_screener(msg: Message, data: dict[str, Any]) -> bool:
    return data["ctx"].role not in SCREENERS


@router.text(Exact("登记排查", "我的排查"), _not_screener)
async def not_allowed(ctx: Context) -> str:
    """Villagers and unbound users cannot log screenings."""
    return ("只有绑定的法律明白人和镇里的工作人员才能登记排查。如果您是法律明白人，请发送“绑定 邀请码”"
            "（邀请码向镇司法所索取）。")
