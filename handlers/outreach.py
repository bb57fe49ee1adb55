"""法律明白人 log their work: the guided form 登记活动, the quick form, 我的记录, corrections and withdrawal."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from handlers.core import (
    Command,
    Context,
    Exact,
    FSMContext,
    Message,
    NoState,
    Regex,
    RoleIs,
    Router,
    State,
    StatesGroup,
)
from handlers.outreach_words import ASKED, looks_like_report, planned_date_problem, read_into_form
from handlers.parsing import (
    QUICK_EXAMPLE,
    kind_menu,
    numbered,
    parse_field,
    parse_quick,
    split_correction,
    summary,
)
from handlers.photos import PhotoSource, photo_records, problems_note
from knowledge.wording.dates import today
from knowledge.wording.errors import ParseError
from models.core import Role, User
from models.outreach import SIX_TARGETS, Activity, ActivityKind, ActivitySource
from services.activities import (
    FIELD_LABELS,
    MAX_PHOTOS,
    ActivityError,
    DuplicateActivity,
    add_photo,
    check_photo_room,
    create_activity,
    edit_refusal,
    just_saved,
    recent_for,
    town_kind_refusal,
    update_activity,
    withdraw_activity,
)

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time

router = Router("outreach")

LOGGERS = (Role.HELPER, Role.ADMIN, Role.COUNTY_ADMIN)

router.menu_line("登记活动：一步步登记普法宣传活动（可附照片）", order=30, roles=(Role.HELPER,))
router.menu_line("登记活动：一步步登记普法活动、镇村干部培训或法治建设专题会议（可附照片）", order=30,
                 roles=(Role.ADMIN, Role.COUNTY_ADMIN))
router.menu_line(f"快速登记：{QUICK_EXAMPLE}", order=31, roles=LOGGERS)
router.menu_line("我的记录：查看、修改或撤回最近登记的活动", order=32, roles=LOGGERS)


class EventForm(StatesGroup):
    """The guided form, one step per field, then a summary to confirm."""

    kind = State()
    date = State()
    village = State()
    form = State()
    six_target = State()
    theme = State()
    participants = State()
    materials = State()
    consultations = State()
    confirm = State()


STEPS: list[tuple[State, str]] = [
    (EventForm.kind, "kind"),
    (EventForm.date, "date"),
    (EventForm.village, "village_id"),
    (EventForm.form, "form"),
    (EventForm.six_target, "six_target"),
    (EventForm.theme, "theme"),
    (EventForm.participants, "participants"),
    (EventForm.materials, "materials"),
    (EventForm.consultations, "consultations"),
]
CONFIRM_HINT = "回复“确认”保存；“修改 人数 45”改某一项；“取消”放弃。"
NOT_ALLOWED = ("只有绑定的法律明白人和管理员才能登记活动。如果您是法律明白人，请发送“绑定 邀请码”"
               "（邀请码向镇司法所索取）。")


def _prompt(field: str, data: dict[str, Any], settings: Settings) -> str:
    if field == "kind":
        return f"请选择活动类别（回复序号）：\n{kind_menu()}"
    if field == "date":
        return "活动是哪天开展的？可以回复“今天”“昨天”“5月12日”或“2026-05-12”。"
    if field == "village_id":
        home = f"回复“本村”表示{data['home_village'][1]}；" if data.get("home_village") else ""
        town = "" if data.get("kind") == ActivityKind.PUBLICITY.value else "镇级活动回复“全镇”；"
        return f"在哪个村开展的？请回复村名。{home}{town}"
    if field == "form":
        return f"活动形式是哪种？回复序号或名称，没有就回复“无”：\n{numbered(settings.outreach.form_list)}"
    if field == "six_target":
        return f"属于“六进”的哪一类？回复序号，没有就回复“无”：\n{numbered(['进' + s for s in SIX_TARGETS])}"
    if field == "theme":
        return "活动主题或宣讲的法律是什么？比如“民法典婚姻家庭编”。"
    if field == "participants":
        return "参与人数是多少？回复数字，比如“45”。"
    if field == "materials":
        return "发放了多少份宣传资料？回复数字，没有就回复“0”。"
    return "现场接受法律咨询多少人次？回复数字，没有就回复“0”。"


async def _author(ctx: Context) -> User | None:
    return await User.get_or_none(id=ctx.user_id) if ctx.user_id else None


async def _home_village(ctx: Context) -> tuple[int, str] | None:
    user = await User.get_or_none(id=ctx.user_id).prefetch_related("village") if ctx.user_id else None
    if user is None or user.village is None:
        return None
    return user.village.id, user.village.name


@router.text(Exact("登记活动", "登记", "记录活动", "登记普法活动"), RoleIs(*LOGGERS))
async def start(ctx: Context, state: FSMContext, settings: Settings) -> str:
    """Begin the guided form."""
    await state.clear()
    home = await _home_village(ctx)
    await state.update_data(photos=[], home_village=list(home) if home else None)
    if town_kind_refusal(ActivityKind.MEETING, ctx.role):  # a helper logs outreach only: no kind to choose
        data = await state.update_data(kind=ActivityKind.PUBLICITY.value)
        await state.set_state(EventForm.date)
        return ("好的，开始登记活动（随时回复“取消”退出，过程中可以直接发照片）。您登记的是普法宣传活动，"
                "法治建设专题会议和镇村干部培训由镇里的工作人员登记。\n" + _prompt("date", data, settings))
    await state.set_state(EventForm.kind)
    return "好的，开始登记活动（随时回复“取消”退出，过程中可以直接发照片）。\n" + _prompt("kind", {}, settings)


@router.message("image", EventForm.any())
async def photo(msg: Message, state: FSMContext) -> str:
    """A photo sent during the form is kept with the entry."""
    data = await state.get_data()
    photos: list[dict[str, str]] = data.get("photos") or []
    if len(photos) >= MAX_PHOTOS:
        return f"最多附{MAX_PHOTOS}张照片，这张没有保存。请继续填写。"
    photos.append({"media_id": msg.media_id[:128], "pic_url": msg.pic_url[:512]})
    await state.update_data(photos=photos)
    if await state.get_state() == EventForm.confirm.name:
        return f"已收到第{len(photos)}张照片，会和这条活动一起保存。{CONFIRM_HINT}"
    return f"已收到第{len(photos)}张照片。请继续填写上一步的内容。"


@router.message("image", RoleIs(*LOGGERS), NoState())
async def photo_after_save(msg: Message, ctx: Context, settings: Settings, media: PhotoSource | None = None) -> str:
    """A photo sent soon after saving goes with the entry just saved (helpers often send them last)."""
    latest = await just_saved(ctx.user_id) if ctx.user_id else None
    if latest is None:
        return "收到照片。要给活动附照片，请在“登记活动”的过程中发送。"
    limit = settings.outreach.photo_max_bytes
    try:
        await check_photo_room(latest)  # before downloading it
        records, problems = await photo_records([{"media_id": msg.media_id[:128], "pic_url": msg.pic_url[:512]}],
                                                media, limit)
        if not records:
            return problems_note(problems, limit)
        await add_photo(latest, await _author(ctx), **records[0])
    except ActivityError as exc:
        return f"编号{latest.id}的记录：{exc}这张没有保存。"
    return f"照片已附到刚登记的编号{latest.id}记录。"


async def _next_step(current: str, data: dict[str, Any], state: FSMContext, settings: Settings) -> str:
    fields = [f for _, f in STEPS]
    for st, field in STEPS[fields.index(current) + 1:]:
        if field not in data:
            await state.set_state(st)
            return _prompt(field, data, settings)
    await state.set_state(EventForm.confirm)
    return f"请核对：\n{summary(data)}\n{CONFIRM_HINT}"


def _step_handler(st: State, field: str) -> None:
    @router.text(st)
    async def step(msg: Message, ctx: Context, state: FSMContext, settings: Settings) -> str:
        data = await state.get_data()
        home = tuple(data["home_village"]) if data.get("home_village") else None
        try:
            value = await parse_field(field, msg.text, town_id=ctx.town_id or 0, forms=settings.outreach.form_list,
                                      kind=data.get("kind"), home_village=home)  # type: ignore[arg-type]
        except (ActivityError, ParseError) as exc:
            return f"{exc}\n{_prompt(field, data, settings)}" if field != "kind" else str(exc)
        if refusal := town_kind_refusal(value.get("kind"), ctx.role):
            return refusal.message
        data = await state.update_data(**value)
        return await _next_step(field, data, state, settings)

    step.__name__ = step.__qualname__ = f"on_{field}"


for _state, _field in STEPS:
    _step_handler(_state, _field)


@router.text(EventForm.confirm, Exact("确认", "确定", "保存", "是", "对", "ok"))
async def confirm(ctx: Context, state: FSMContext, settings: Settings, media: PhotoSource | None = None) -> str:
    """Save the entry, its photos (downloaded through the media API) and the audit record."""
    data = await state.get_data()
    values = _values(data)
    author = await _author(ctx)
    values["organiser"] = author.display_name if author else ""
    limit = settings.outreach.photo_max_bytes
    records, problems = await photo_records(data.get("photos") or [], media, limit)
    try:
        activity = await create_activity(ctx.town_id or 0, author, values, source=ActivitySource.CHAT,
                                         photos=records)
    except DuplicateActivity as exc:
        await state.clear()
        return f"{exc}回复“我的记录”查看。"
    except ActivityError as exc:
        return f"{exc}\n{CONFIRM_HINT}"
    await state.clear()
    photos = f"，附照片{len(records)}张" if records else ""
    return (f"已保存，编号{activity.id}{photos}。{problems_note(problems, limit)}谢谢您的辛勤工作！\n"
            f"7天内可以回复“修改 {activity.id} 人数 45”更正，或“撤回 {activity.id}”。")


@router.text(EventForm.confirm, Command("修改", "改"))
async def correct_in_form(args: str, ctx: Context, state: FSMContext, settings: Settings) -> str:
    """修改 人数 45 before confirming."""
    data = await state.get_data()
    try:
        field, text = split_correction(args)
        home = tuple(data["home_village"]) if data.get("home_village") else None
        value = await parse_field(field, text, town_id=ctx.town_id or 0, forms=settings.outreach.form_list,
                                  kind=data.get("kind"), home_village=home)  # type: ignore[arg-type]
        if refusal := town_kind_refusal(value.get("kind"), ctx.role):
            raise refusal
        if field == "kind" and value["kind"] == ActivityKind.PUBLICITY.value and not data.get("village_id"):
            raise ActivityError("普法宣传活动需要写明村名，请先“修改 村 村名”。")
    except (ActivityError, ParseError) as exc:
        return f"{exc}\n{CONFIRM_HINT}"
    data = await state.update_data(**value)
    return f"已修改{FIELD_LABELS[field]}。请再核对：\n{summary(data)}\n{CONFIRM_HINT}"


def _report_words(msg: Message, data: dict[str, Any]) -> bool:
    return looks_like_report(msg.text, today(), data["settings"].outreach.form_word_map)


@router.text(EventForm.confirm, RoleIs(Role.HELPER), _report_words)
async def report_again(msg: Message, ctx: Context, state: FSMContext, settings: Settings) -> str:
    """A whole new report at the card (a helper correcting by saying it again) replaces it; photos stay."""
    photos = (await state.get_data()).get("photos") or []
    return await _start_from_words(msg, ctx, state, settings, photos=photos)


@router.text(EventForm.confirm)
async def confirm_other(msg: Message, state: FSMContext) -> str:
    """Anything else at the summary."""
    return f"请回复“确认”“修改 项目 内容”或“取消”。\n{summary(await state.get_data())}"


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": ActivityKind(data["kind"]),
        "date": dt.date.fromisoformat(data["date"]),
        "village_id": data.get("village_id"),
        "form": data.get("form", ""),
        "six_target": data.get("six_target", ""),
        "theme": data.get("theme", ""),
        "place": data.get("place", ""),
        "audience": data.get("audience", ""),
        "participants": data.get("participants", 0),
        "materials": data.get("materials", 0),
        "consultations": data.get("consultations", 0),
    }


@router.text(Regex(r"^(活动|培训|会议|快速登记)\s+\S"), RoleIs(*LOGGERS), NoState())
async def quick(msg: Message, ctx: Context, state: FSMContext, settings: Settings) -> str:
    """The one-line form: parsed, then confirmed like the guided one; a helper's free words as a fallback."""
    args = msg.text.strip().split(maxsplit=1)[1]
    head = msg.text.strip().split(maxsplit=1)[0]
    if head in {"培训", "会议"}:
        args = f"{head} {args}"
    try:
        data = await parse_quick(args, town_id=ctx.town_id or 0, forms=settings.outreach.form_list)
    except (ActivityError, ParseError) as exc:
        # Words the template does not know ("活动 昨天在村里讲了民法典…"): read them as free words.
        if str(exc).startswith("没看懂") and ctx.role == Role.HELPER \
                and looks_like_report(msg.text, today(), settings.outreach.form_word_map):
            return await _start_from_words(msg, ctx, state, settings)
        return str(exc) if "示例" in str(exc) else f"{exc}\n{QUICK_EXAMPLE}"
    if refusal := town_kind_refusal(data.get("kind"), ctx.role):
        return refusal.message
    home = await _home_village(ctx)
    await state.update_data(**data, photos=[], home_village=list(home) if home else None)
    await state.set_state(EventForm.confirm)
    return f"请核对：\n{summary(data)}\n{CONFIRM_HINT}"


@router.text(Exact("登记活动", "我的记录"), ~RoleIs(*LOGGERS))
@router.text(Regex(r"^(修改|撤回)\s*\d+"), ~RoleIs(*LOGGERS))
@router.text(Regex(r"^活动\s+(今天|昨天|前天|\d{1,4}[年月./-])"), ~RoleIs(*LOGGERS))
async def not_a_helper(ctx: Context) -> str:
    """Villagers and unbound users cannot log."""
    return NOT_ALLOWED


@router.text(Exact("我的记录", "我的活动", "活动记录"), RoleIs(*LOGGERS))
async def my_records(ctx: Context) -> str:
    """The helper's latest entries."""
    if ctx.user_id is None:
        return NOT_ALLOWED
    items = await recent_for(ctx.user_id, limit=10)
    if not items:
        return "您还没有登记过活动。回复“登记活动”开始登记。"
    lines = []
    for a in items:
        where = a.village.name if a.village else "全镇"
        flag = "（已撤回）" if a.withdrawn else ""
        what = a.form or ActivityKind(a.kind).label
        lines.append(f"{a.id}. {a.date:%-m月%-d日} {where} {what} {a.participants}人 资料{a.materials}份{flag}")
    return ("您最近登记的活动：\n" + "\n".join(lines) +
            "\n\n更正回复“修改 编号 人数 45”，撤回回复“撤回 编号”。")


MAX_ID = 2**31 - 1  # ids are 32-bit; a bigger number would overflow the query


async def _editable(ctx: Context, text: str, settings: Settings) -> Activity | str:
    number = int(text) if len(text) <= 10 else 0
    activity = None
    if 0 < number <= MAX_ID:
        activity = await Activity.get_or_none(id=number, town_id=ctx.town_id) if ctx.role != Role.COUNTY_ADMIN \
            else await Activity.get_or_none(id=number)
    if activity is None:
        return f"没有找到编号{text[:12]}的记录。回复“我的记录”查看编号。"
    refusal = edit_refusal(activity, ctx.user_id, ctx.role, ctx.town_id, settings.outreach.edit_window_days)
    return refusal.message if refusal else activity


@router.text(Regex(r"^(?:修改|更正)\s*(\d+)\s*(.*)$"), RoleIs(*LOGGERS), NoState())
async def correct_saved(match: re.Match[str], ctx: Context, settings: Settings) -> str:
    """修改 12 人数 45: correct a saved entry (author within 7 days, admin any time), audited."""
    found = await _editable(ctx, match.group(1), settings)
    if isinstance(found, str):
        return found
    try:
        field, text = split_correction(match.group(2))
        value = await parse_field(field, text, town_id=found.town_id, forms=settings.outreach.form_list,  # type: ignore[attr-defined]
                                  kind=found.kind)
        value = {field: value[field]}
        if field == "date":
            value["date"] = dt.date.fromisoformat(value["date"])
        diff = await update_activity(found, await _author(ctx), value)
    except (ActivityError, ParseError) as exc:
        return str(exc)
    if not diff:
        return f"编号{found.id}的{FIELD_LABELS[field]}本来就是这个，没有改动。"
    return f"已更正编号{found.id}的{FIELD_LABELS[field]}，修改记录已留存。"


@router.text(Regex(r"^撤回\s*(\d+)\s*(.*)$"), RoleIs(*LOGGERS), NoState())
async def withdraw(match: re.Match[str], ctx: Context, settings: Settings) -> str:
    """撤回 12: withdraw a saved entry; it stays in the audit trail but is no longer counted."""
    found = await _editable(ctx, match.group(1), settings)
    if isinstance(found, str):
        return found
    try:
        await withdraw_activity(found, await _author(ctx), match.group(2))
    except ActivityError as exc:
        return str(exc)
    return f"已撤回编号{found.id}的记录，不再计入统计。"


def _planned_work(msg: Message, data: dict[str, Any]) -> dict[str, Any] | None:
    problem = planned_date_problem(msg.text, today(), data["settings"].outreach.form_word_map)
    return {"problem": problem} if problem else None


@router.text(RoleIs(Role.HELPER), NoState(), _planned_work)
async def planned(problem: str) -> str:
    """Work still to come: nothing to log yet."""
    return f"{problem.split('。')[0]}。活动开展以后，再把情况发给我登记。"


@router.text(RoleIs(Role.HELPER), NoState(), _report_words)
async def from_words(msg: Message, ctx: Context, state: FSMContext, settings: Settings) -> str:
    """A helper's report in their own words: the card of what was read, asking only what is missing."""
    return await _start_from_words(msg, ctx, state, settings)


def _not_an_activity(text: str, data: dict[str, Any]) -> str:
    """A helper's words about a screening or a training they attended belong to their own records, not the
    town's outreach figures (镇村干部培训 and 专题会议 are logged by town staff)."""
    day = dt.date.fromisoformat(data["date"]).strftime("%-m月%-d日") if data.get("date") else "11月20日"
    if "排查" in text:
        return ("这是一次矛盾纠纷排查吧？请回复“登记排查”逐项登记，或一句话：“排查 "
                f"{day} 村名 发现3件 化解2件 登记1件”。")
    if data.get("kind") == ActivityKind.TRAINING.value:
        theme = data.get("theme") or "民法典"
        return (f"您参加的培训记入您本人的培训记录和积分，请发送：参加培训 {day} {theme} 3小时"
                "（学时按实际填写）。镇村干部培训由镇里的工作人员登记。")
    if data.get("kind") == ActivityKind.MEETING.value:
        return "法治建设专题会议由镇里的工作人员登记。您在村里开展的普法活动，请说说时间、地点、形式和人数。"
    return ""


async def _start_from_words(msg: Message, ctx: Context, state: FSMContext, settings: Settings,
                            photos: list[dict[str, str]] | None = None) -> str:
    home = await _home_village(ctx)
    data, date_problem = await read_into_form(msg.text, town_id=ctx.town_id or 0, home=home,
                                              forms=settings.outreach.form_list, today=today(),
                                              form_words=settings.outreach.form_word_map)
    await state.clear()
    if ctx.role == Role.HELPER and (other := _not_an_activity(msg.text, data)):
        return other
    data = await state.update_data(**data, photos=photos or [], home_village=list(home) if home else None)
    missing = [f for f in ASKED if f not in data]
    if not missing:
        await state.set_state(EventForm.confirm)
        return f"请核对：\n{summary(data)}\n{CONFIRM_HINT}"
    step = next(st for st, f in STEPS if f == missing[0])
    await state.set_state(step)
    problem = f"{date_problem}\n" if date_problem and missing[0] == "date" else ""
    return (f"收到，我读到的是：\n{summary(data)}\n还差{len(missing)}项，请逐项回复（“取消”放弃）。\n"
            f"{problem}{_prompt(missing[0], data, settings)}")
