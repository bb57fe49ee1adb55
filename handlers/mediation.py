"""申请调解 (villagers), 登记纠纷 (helpers: 主动调解) and 查询 <案件号>: the mediation studio in chat."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from handlers.core import Context, Exact, FSMContext, Message, Regex, RoleIs, Router, State, StatesGroup
from models.core import Role, Village
from models.mediation import Assignment, Case, Source, Status
from services import cases
from services.case_flow import NEXT_STEP_TEXT
from services.case_types import case_types
from services.identities import same_person_openids

if TYPE_CHECKING:
    from bot.config import Settings  # plain typed settings; nothing of bot at run time

router = Router("mediation")

router.menu_line("回复“申请调解”免费申请人民调解", order=40)
router.menu_line("回复“查询 案件号”查看调解进度，如：查询 〔2026〕江湾调字第12号", order=41)
router.menu_line("回复“登记纠纷”登记您发现的矛盾纠纷（主动调解）", order=42,
              roles={Role.HELPER, Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN})

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?\d{7,8})(?!\d)")
# A phone number as people write it (138-1234-5678, 138 1234 5678, 0791-1234567): removed from a
# name without touching the name's own characters.
PHONE_WRITTEN = re.compile(r"(?<![\d])(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})(?![\d])")
NO_WORDS = {"无", "没有", "不知道", "跳过", "没", "不清楚"}
YES_WORDS = {"确认", "确定", "提交", "是", "对", "好", "好的", "没问题", "1"}
REDO_WORDS = {"修改", "重填", "重新填写", "改", "2"}
MIN_STORY, MAX_STORY = 10, 600
ORG_SUFFIX = re.compile(r"(公司|合作社|委员会|村委会|居委会|厂|商店|超市|中心|协会|学校|医院|卫生院|集团|工作室"
                        r"|门市部|经营部|农场)$")


class Intake(StatesGroup):
    """The steps of the 申请调解 / 登记纠纷 form."""

    case_type = State()
    village = State()
    my_name = State()
    my_address = State()
    other_party = State()
    other_name = State()
    story = State()
    phone = State()
    confirm = State()


def _type_menu() -> str:
    return "\n".join(f"{i}. {t}" for i, t in enumerate(case_types(), 1))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _digits_phone(text: str) -> str | None:
    t = re.sub(r"[\s-]", "", text)
    m = MOBILE.search(t)
    if m:
        return m.group(1)
    m = LANDLINE.search(text.replace(" ", ""))
    return m.group(1) if m else None


def _is_name(text: str) -> bool:
    return 2 <= len(text) <= 30 and not re.search(r"\d", text) and "http" not in text


def _party_kind(name: str) -> str:
    return "org" if ORG_SUFFIX.search(name) else "person"


# Descriptions people put before or instead of a name ("隔壁老李", "我二叔", "村东头开小卖部的").
_NOT_NAME = re.compile(r"^(隔壁|邻居|对门|楼上|楼下|前院|后院|我家|我|他|她|村|老|小|阿|大|二|三)|"
                       r"(家|的|叔|伯|姨|舅|哥|姐|弟|妹|爷|奶|妈|爸|嫂|媳妇|老板|师傅|头|那边|那个)$")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝洪"
)
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "夏侯")


def looks_like_name(token: str) -> bool:
    """A personal name (surname + 1-3 characters) or an organisation's name, not a description."""
    if ORG_SUFFIX.search(token) and 4 <= len(token) <= 30:
        return True
    if re.fullmatch(r"[\u4e00-\u9fff]{2,10}[·•][\u4e00-\u9fff]{1,10}", token):
        return True  # a transliterated name: 买买提·艾力
    if not re.fullmatch(r"[\u4e00-\u9fff][\u4e00-\u9fff-]{1,5}", token) or _NOT_NAME.search(token.replace("-", "")):
        return False
    return token[:2] in _COMPOUND or token[0] in _SURNAMES


def split_party_text(text: str) -> tuple[str | None, str, str]:
    """'隔壁老李 李大海 13800001111' -> ('李大海', '13800001111', '隔壁老李'): name, phone, the rest."""
    phone = _digits_phone(text) or ""
    rest = _clean(PHONE_WRITTEN.sub(" ", text)) if phone else _clean(text)
    tokens = [t for t in re.split(r"[\s,，、;；:：/]+", rest) if t and t not in {"电话", "手机", "联系电话"}]
    names = [t for t in tokens if looks_like_name(t)]
    name = names[0] if len(names) == 1 else None
    other = rest.replace(name, " ", 1) if name else rest
    return name, phone, _clean(other).strip(" ,，、;；:：")


async def _villages(town_id: int | None) -> list[Village]:
    if town_id is None:
        return []
    return await Village.filter(town_id=town_id).order_by("id").all()


def _helper_flow(data: dict[str, Any]) -> bool:
    return data.get("source") == Source.INITIATIVE.value


async def _start(state: FSMContext, source: Source) -> str:
    await state.clear()
    await state.set_state(Intake.case_type)
    await state.update_data(source=source.value)
    lead = "申请人民调解（免费）。" if source is Source.APPLIED else "登记您发现的矛盾纠纷（主动调解）。"
    return f"{lead}共6步，随时回复“取消”退出。\n第1步：纠纷属于哪一类？请回复数字：\n{_type_menu()}"


@router.text(Exact("申请调解", "我要调解", "调解申请", "申请人民调解"))
async def start_apply(state: FSMContext) -> str:
    """Start the villager's application."""
    return await _start(state, Source.APPLIED)


REPORTERS = (Role.HELPER, Role.MEDIATOR, Role.ADMIN, Role.COUNTY_ADMIN)


@router.text(Exact("登记纠纷", "纠纷登记", "主动调解"), RoleIs(*REPORTERS))
async def start_report(state: FSMContext) -> str:
    """Start a helper's report of a dispute they found (主动调解)."""
    return await _start(state, Source.INITIATIVE)


@router.text(Exact("登记纠纷", "纠纷登记", "主动调解"))
async def report_not_allowed() -> str:
    """Villagers apply instead."""
    return "“登记纠纷”供法律明白人使用。您本人需要调解，请回复“申请调解”。"


def _pick_type(text: str) -> str | None:
    t = text.strip().rstrip("。.")
    types = case_types()
    if t.isdecimal() and len(t) <= 3 and 1 <= int(t) <= len(types):
        return types[int(t) - 1]
    for name in types:
        if t == name or t == name + "纠纷":
            return name
    return None


async def _ask_village(ctx: Context, state: FSMContext) -> str:
    villages = await _villages(ctx.town_id)
    await state.set_state(Intake.village)
    if not villages:
        return "第2步：纠纷发生在哪个村？请回复村名。"
    listing = "\n".join(f"{i}. {v.name}" for i, v in enumerate(villages, 1))
    return f"第2步：纠纷发生在哪个村？请回复数字或村名：\n{listing}"


@router.text(Intake.case_type)
async def on_type(msg: Message, ctx: Context, state: FSMContext) -> str:
    """Step 1: the kind of dispute."""
    picked = _pick_type(msg.text)
    if picked is None:
        return f"没看懂。请回复1到{len(case_types())}之间的数字，比如邻里纠纷回复“2”：\n{_type_menu()}"
    await state.update_data(case_type=picked)
    return f"类型：{picked}。\n" + await _ask_village(ctx, state)


@router.text(Intake.village)
async def on_village(msg: Message, ctx: Context, state: FSMContext) -> str:
    """Step 2: the village."""
    text = _clean(msg.text)
    villages = await _villages(ctx.town_id)
    chosen: Village | None = None
    if villages:
        if text.isdecimal() and len(text) <= 4 and 1 <= int(text) <= len(villages):
            chosen = villages[int(text) - 1]
        else:
            chosen = next((v for v in villages if text in (v.name, v.name.removesuffix("村"))), None)
        if chosen is None:
            return f"没有找到“{text[:20]}”。请回复列表里的数字，比如“1”。"
        await state.update_data(village_id=chosen.id, village_name=chosen.name)
    else:
        if not 2 <= len(text) <= 30:
            return "请回复村名，比如“江湾村”。"
        await state.update_data(village_id=None, village_name=text)
    data = await state.get_data()
    await state.set_state(Intake.my_name)
    if _helper_flow(data):
        return "第3步：请回复一方当事人的姓名（申请或求助的一方）。"
    return "第3步：请问您怎么称呼？请回复您的姓名。"


@router.text(Intake.my_name)
async def on_my_name(msg: Message, state: FSMContext) -> str:
    """Step 3: the applicant's name (a person's or an organisation's), then the address."""
    text = _clean(msg.text)
    name = text if looks_like_name(text) else split_party_text(text)[0]
    if name is None or not _is_name(name):
        return "请回复真实姓名（2到5个字，不要带数字），比如“张三”；单位请回复全称，比如“江湾镇某某农业合作社”。"
    await state.update_data(my_name=name, my_kind=_party_kind(name))
    await state.set_state(Intake.my_address)
    what = "单位住所" if _party_kind(name) == "org" else "住址"
    return f"第3步（续）：请回复{what}，比如“江湾村3组12号”；不方便可回复“跳过”。"


@router.text(Intake.my_address)
async def on_my_address(msg: Message, state: FSMContext) -> str:
    """Step 3, continued: the address."""
    text = _clean(msg.text)
    if text in NO_WORDS:
        text = ""
    elif not 2 <= len(text) <= 100 or MOBILE.search(text.replace(" ", "")):
        return "请回复住址（2到100个字，不要写电话），比如“江湾村3组12号”；不方便可回复“跳过”。"
    await state.update_data(my_address=text)
    await state.set_state(Intake.other_party)
    return ("第4步：对方是谁？请回复对方的真实姓名，有电话可以一起写，比如“李大海 13800001111”。"
            "对方有几个人的，先写一个，其余的调解员会补上。")


async def _other_done(state: FSMContext, name: str, phone: str, note: str) -> str:
    await state.update_data(other_name=name, other_phone=phone, other_note=note, other_kind=_party_kind(name))
    await state.set_state(Intake.story)
    return f"第5步：请用几句话说说发生了什么（{MIN_STORY}字以上），比如什么时候、因为什么事、现在怎么样了。"


@router.text(Intake.other_party)
async def on_other(msg: Message, state: FSMContext) -> str:
    """Step 4: the other party: the name apart from the phone and any description ("隔壁老李 李大海")."""
    name, phone, note = split_party_text(msg.text)
    if name is None:
        await state.update_data(other_phone=phone, other_note=note)
        await state.set_state(Intake.other_name)
        known = f"“{note[:20]}”" if note else "对方"
        return f"{known}的真实姓名是什么？请只回复姓名，比如“李大海”（不知道全名可回复“不知道”）。"
    return await _other_done(state, name, phone, note)


@router.text(Intake.other_name)
async def on_other_name(msg: Message, state: FSMContext) -> str:
    """Step 4, continued: the other party's real name when the first answer was a description."""
    data = await state.get_data()
    text = _clean(msg.text)
    note = data.get("other_note", "")
    if text in NO_WORDS:
        if not note:
            return "请回复对方的姓名，或怎么称呼对方，比如“李大海”或“隔壁老李”。"
        return await _other_done(state, note[:30], data.get("other_phone", ""), "姓名待核实")
    name, phone, extra = split_party_text(text)
    if name is None:
        return "请只回复对方的真实姓名，比如“李大海”；不知道全名可回复“不知道”。"
    note = "、".join(x for x in (note, extra) if x)
    return await _other_done(state, name, phone or data.get("other_phone", ""), note)


@router.text(Intake.story)
async def on_story(msg: Message, state: FSMContext) -> str:
    """Step 5: what happened."""
    text = msg.text.strip()
    if len(text) < MIN_STORY:
        return f"说得再具体一点吧（至少{MIN_STORY}个字）：什么时候、因为什么事、现在怎么样了。"
    if len(text) > MAX_STORY:
        return f"内容有点长，请精简到{MAX_STORY}字以内，详细情况调解员会当面了解。"
    await state.update_data(story=text)
    await state.set_state(Intake.phone)
    data = await state.get_data()
    if _helper_flow(data):
        return "第6步：请回复当事人的联系电话（不知道回复“无”）。"
    return "第6步：请回复您的手机号码，方便调解员联系您。"


def _summary(data: dict[str, Any]) -> str:
    other = data["other_name"] + (f"（{data['other_phone']}）" if data.get("other_phone") else "")
    if data.get("other_note"):
        other += f"，{data['other_note']}"
    who = "当事人" if _helper_flow(data) else "申请人"
    phone = data.get("phone") or "无"
    address = data.get("my_address") or "未填"
    return (
        f"请核对：\n类型：{data['case_type']}\n村：{data['village_name']}\n{who}：{data['my_name']}（{phone}）\n"
        f"住址：{address}\n对方：{other}\n经过：{data['story']}\n\n"
        "回复“确认”提交，回复“修改”重新填写，回复“取消”放弃。"
    )


@router.text(Intake.phone)
async def on_phone(msg: Message, state: FSMContext) -> str:
    """Step 6: the applicant's phone."""
    data = await state.get_data()
    text = msg.text.strip()
    if _helper_flow(data) and text in NO_WORDS:
        phone = ""
    else:
        found = _digits_phone(text)
        if found is None:
            return "这个号码好像不对。请回复11位手机号，比如“13800001111”，或带区号的座机号。"
        phone = found
    data = await state.update_data(phone=phone)
    await state.set_state(Intake.confirm)
    return _summary(data)


@router.text(Intake.confirm)
async def on_confirm(msg: Message, ctx: Context, state: FSMContext, settings: Settings) -> str:
    """Save only now, and answer with the case number."""
    answer = msg.text.strip().rstrip("。!！")
    data = await state.get_data()
    if answer in REDO_WORDS:
        return await _start(state, Source(data.get("source", Source.APPLIED.value)))
    if answer not in YES_WORDS:
        return "请回复“确认”提交，回复“修改”重新填写，或回复“取消”放弃。"
    if ctx.town_id is None:
        await state.clear()
        return "暂时无法登记，请直接联系镇调解工作室。"
    helper = _helper_flow(data)
    story = data["story"] + (f"\n（对方：{data['other_note']}）" if data.get("other_note") else "")
    new = cases.NewCase(
        town_id=ctx.town_id, case_type=data["case_type"], summary=story,
        parties=[cases.PartyIn(data["my_name"], "applicant", data.get("phone", ""), address=data.get("my_address", ""),
                               kind=data.get("my_kind", "person")),
                 cases.PartyIn(data["other_name"], "respondent", data.get("other_phone", ""),
                               kind=data.get("other_kind", "person"))],
        source=Source.INITIATIVE if helper else Source.APPLIED,
        village_id=data.get("village_id"), village_name=data.get("village_name", ""),
        applicant_openid=None if helper else ctx.openid, reporter_openid=ctx.openid if helper else None,
        registered_by_id=ctx.user_id if helper else None,
        actor_label=(ctx.display_name or "法律明白人") if helper else "申请人（微信）",
    )
    try:
        case = await cases.register_case(new, due_days=settings.mediation.due_days)
    except cases.PartyInvalid as exc:
        return f"{exc}\n请回复“修改”重新填写，或回复“取消”放弃。"
    await state.clear()
    tail = "调解员会尽快联系当事人。" if helper else "人民调解不收任何费用，调解员会尽快和您联系。"
    return (f"已登记，登记号：{case.reg_number}\n{tail}\n受理后会告诉您调解案号。"
            f"回复“查询 {case.reg_number}”可以查看进度。")


NUMBER = re.compile(r"[〔(（\[【]?\s*(\d{4})\s*[〕)）\]】]?\s*(\S{1,16}?)(调|登)字第\s*(\d+)\s*号")


def normalize_case_number(text: str) -> str | None:
    """'(2026)江湾调字第12号' and friends -> '〔2026〕江湾调字第12号' (registration numbers: 登字)."""
    m = NUMBER.search(text.replace(" ", ""))
    if not m:
        return None
    return f"〔{m.group(1)}〕{m.group(2)}{m.group(3)}字第{int(m.group(4))}号"


async def _status_text(case: Case) -> str:
    status = Status(case.status)
    leads = await Assignment.filter(case=case).order_by("-lead", "id").prefetch_related("mediator")
    mediators = "、".join(a.mediator.display_name for a in leads)
    lines = [f"登记号：{case.reg_number}"] + ([f"调解案号：{case.number}"] if case.number else [])
    lines += [f"类型：{case.case_type}", f"登记日期：{case.registered_at:%Y-%m-%d}", f"状态：{status.label}"]
    if mediators:
        lines.append(f"调解员：{mediators}")
    lines.append(f"下一步：{NEXT_STEP_TEXT[status]}")
    return "\n".join(lines)


@router.text(Regex(r"^(查询|查案|查进度|案件查询).{0,24}[调登]字第"))
async def lookup(msg: Message, ctx: Context) -> str:
    """查询 <案件号>: only for the openid that applied (or reported); anyone else learns nothing."""
    number = normalize_case_number(msg.text)
    case = await cases.find_own_case(number, ctx.openid) if number else None
    if case is None:
        return "没有找到这个案件。请核对案件号；只能查询自己申请的案件。"
    return await _status_text(case)


@router.text(Exact("查询", "我的案件", "查询案件", "查询进度", "调解进度"))
async def my_cases(ctx: Context) -> str:
    """The user's own cases, newest first."""
    openids = await same_person_openids(ctx.openid)  # the mini-program's cases too
    own = await Case.filter(applicant_openid__in=openids).order_by("-id").limit(5)
    reported = await Case.filter(reporter_openid__in=openids).order_by("-id").limit(5)
    found = sorted({c.id: c for c in [*own, *reported]}.values(), key=lambda c: -c.id)[:5]
    if not found:
        return "没有找到您申请的案件。需要调解请回复“申请调解”。"
    lines = [f"{c.display_number}  {Status(c.status).label}" for c in found]
    return "您的案件：\n" + "\n".join(lines) + "\n\n回复“查询 案件号”查看详情。"


