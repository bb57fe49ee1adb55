"""A demo town (or county) for newcomers: villages, helpers, a year of activities, disputes through their life cycle.

Deterministic by seed. People, activities and villages are bulk-inserted; every dispute goes through the
mediation service (services.cases) so its transitions, deadlines and audit trail are the real ones. Names
and phone numbers are invented.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from models.core import Role, Town, User, Village
from models.helper_tables import HelperProfile
from models.mediation import Case, Source
from models.outreach import Activity, ActivityKind, ActivitySource
from models.questions import QuestionLog
from services import cases as svc
from services.activities import fingerprint
from services.case_flow import CASE_TYPES, DECLINE_REASONS, REFERRERS

TZ = ZoneInfo("Asia/Shanghai")

VILLAGE_NAMES = (
    "江湾", "东山", "西河", "石桥", "上坂", "下坂", "杨柳", "桃花", "梅林", "竹园", "新塘", "高岭", "黄田",
    "白石", "清水", "枫树", "柏林", "龙潭", "凤山", "金星", "银湖", "前进", "和平", "长青", "南岭", "北港",
)
OTHER_TOWNS = ("白沙镇", "石门镇", "青山镇", "河口镇", "新田镇", "东岭镇", "桃源镇")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "明芳军华英建国平红玉兰秀伟强丽敏静杰涛斌燕霞桂春海林生金福贵荣"
THEMES = (
    "民法典", "宪法", "反电信网络诈骗法", "未成年人保护法", "农村土地承包法", "反家庭暴力法", "禁毒法",
    "安全生产法", "人民调解法", "道路交通安全法", "消费者权益保护法", "法律援助法", "治安管理处罚法",
)
TARGETS = (("乡村", 50), ("", 20), ("学校", 10), ("企业", 7), ("社区", 6), ("机关", 4), ("单位", 3))
TYPE_WEIGHTS = {
    "邻里": 25, "婚姻家庭": 20, "房屋宅基地": 12, "山林土地": 8, "损害赔偿": 8, "合同": 7, "劳动争议": 5,
    "道路交通事故": 4, "生产经营": 3, "征地拆迁": 2, "消费": 2, "物业": 1, "医疗": 1, "环境污染": 1, "其他": 1,
}
MONEY_TYPES = {"损害赔偿", "合同", "劳动争议", "道路交通事故", "生产经营", "征地拆迁", "消费", "医疗", "婚姻家庭"}
QUESTION_TOPICS = {
    "婚姻": 16, "承包地": 11, "继承": 10, "借贷": 10, "欠薪": 8, "宅基地": 7, "赡养": 6, "交通事故": 6,
    "相邻关系": 5, "征地补偿": 5, "劳动合同": 4, "工伤": 3, "家庭暴力": 3, "电信诈骗与出借银行卡": 3, "人民调解": 3,
}
# More outreach around 春节 (送法下乡), 3·15, the summer school break and 12·4 宪法日.
MONTH_WEIGHTS = (10, 9, 11, 8, 8, 7, 9, 8, 7, 8, 8, 12)


@dataclass
class DemoSummary:
    """What was generated."""

    towns: list[str] = field(default_factory=list)
    villages: int = 0
    helpers: int = 0
    core: int = 0
    activities: int = 0
    cases: int = 0
    questions: int = 0


@dataclass(frozen=True)
class DemoOptions:
    """Scale, year, seed and the configured town and targets."""

    year: int
    scale: str = "town"  # town / county
    seed: int = 2023
    town: str = "江湾镇"
    studio_name: str = "老洪调解工作室"
    case_prefix: str = "江湾"
    forms: tuple[str, ...] = ("法治公开课", "入户走访", "小板凳会议", "新时代文明实践", "送法下乡", "以案释法")
    ratio: int = 10
    due_days: int = 30
    followup_days: int = 30
    cases_per_town: int = 120


class DemoError(Exception):
    """The demo cannot run here (e.g. the town already has data); the message is for the user."""


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _day(rng: random.Random, year: int, last: dt.date) -> dt.date:
    month = rng.choices(range(1, 13), MONTH_WEIGHTS)[0]
    day = dt.date(year, month, rng.randint(1, 28))
    return min(day, last)


async def _town(opts: DemoOptions, name: str, prefix: str, studio: str) -> Town:
    town, _ = await Town.get_or_create(name=name, defaults={"studio_name": studio, "case_prefix": prefix})
    if await Village.exists(town_id=town.id):
        raise DemoError(f"{name}已经有村庄数据；演示数据只生成在空库上（可换一个数据库，或删除 var/mingbai.sqlite3）。")
    return town


async def _people(rng: random.Random, town: Town, n_villages: int, opts: DemoOptions, s: DemoSummary
                  ) -> tuple[list[Village], dict[int, list[User]], list[User]]:
    names = rng.sample(VILLAGE_NAMES, n_villages)
    short = set(rng.sample(range(n_villages), 2))  # two villages still short of the ratio
    thin = set(rng.sample(range(n_villages), 2))  # two whose helpers cover less than half the households
    villages = [Village(town=town, name=f"{n}村", households=rng.randint(190, 820), groups=rng.randint(4, 14))
                for n in names]
    await Village.bulk_create(villages)
    villages = list(await Village.filter(town_id=town.id).order_by("id"))
    users: list[User] = []
    covers: list[int] = []  # households each helper covers (联系户), in the order of `users`
    for i, v in enumerate(villages):
        need = math.ceil(v.households / opts.ratio)
        core = need - rng.randint(2, 6) if i in short else need + rng.randint(0, 3)
        size = core + round(core * rng.uniform(1.2, 1.9))  # ordinary helpers far outnumber 骨干 (about 40% 骨干)
        share = rng.uniform(0.3, 0.45) if i in thin else rng.uniform(0.55, 0.9)
        each = v.households * share / size
        for k in range(size):
            users.append(User(role=Role.HELPER, display_name=_name(rng), town=town, village=v,
                              phone=f"139{rng.randint(0, 99999999):08d}", is_core=k < core))
            covers.append(max(0, round(each * rng.uniform(0.8, 1.2))))
    staff = [User(role=Role.MEDIATOR, display_name=_name(rng), town=town) for _ in range(3)]
    await User.bulk_create(users + staff, batch_size=500)
    ids = list(reversed(await User.filter(town_id=town.id, role=Role.HELPER).order_by("-id").limit(len(users))
                        .values_list("id", flat=True)))  # the helpers just inserted, in order
    await HelperProfile.bulk_create([HelperProfile(user_id=uid, households=n) for uid, n in zip(ids, covers,
                                                                                               strict=True)],
                                    batch_size=500)
    helpers: dict[int, list[User]] = {}
    for u in await User.filter(town_id=town.id, role=Role.HELPER, is_core=True).only("id", "village_id",
                                                                                       "display_name"):
        helpers.setdefault(u.village_id, []).append(u)  # type: ignore[attr-defined]
    mediators = list(await User.filter(town_id=town.id, role=Role.MEDIATOR).order_by("id"))
    s.villages += len(villages)
    s.helpers += len(users)
    s.core += sum(1 for u in users if u.is_core)
    return villages, helpers, mediators


def _activities(rng: random.Random, town: Town, villages: list[Village], helpers: dict[int, list[User]],
                year: int, last: dt.date, opts: DemoOptions, busy: float) -> list[Activity]:
    out: list[Activity] = []

    def add(kind: ActivityKind, day: dt.date, village: Village | None, **values: object) -> None:
        author = rng.choice(helpers.get(village.id, [None])) if village else None  # type: ignore[list-item]
        v = {"kind": kind.value, "date": day, "village_id": village.id if village else None,
             "organiser": author.display_name if author else "司法所", **values}
        v["fingerprint"] = fingerprint(town.id, v)
        v["kind"] = kind
        out.append(Activity(town=town, village_id=v.pop("village_id"), author_id=author.id if author else None,
                            source=ActivitySource.IMPORT, **v))

    for month in (3, 9)[: 2 if busy >= 1 else 1]:
        day = min(dt.date(year, month, rng.randint(5, 25)), last)
        add(ActivityKind.MEETING, day, None, theme="法治建设专题会议", place="镇政府会议室")
    for month in (4, 6, 9, 11)[: 4 if busy >= 1 else 3]:
        day = min(dt.date(year, month, rng.randint(5, 25)), last)
        add(ActivityKind.TRAINING, day, None, theme=rng.choice(THEMES), place="镇政府会议室",
            participants=rng.randint(35, 80), form="普法讲座")
    targets, weights = zip(*TARGETS, strict=True)
    for v in villages:
        for _ in range(round(rng.randint(4, 9) * busy)):
            form = rng.choice(opts.forms)
            add(ActivityKind.PUBLICITY, _day(rng, year, last), v, form=form,
                six_target=rng.choices(targets, weights)[0], theme=rng.choice(THEMES), place=f"{v.name}村委会",
                participants=rng.randint(12, 160), materials=rng.randint(10, 260),
                consultations=rng.randint(0, 25))
    return [a for a in out if a.date <= last]


async def _case(rng: random.Random, town: Town, v: Village, mediators: list[User], year: int, today: dt.date,
                opts: DemoOptions) -> bool:
    day = _day(rng, year, today)
    source = rng.choices([Source.APPLIED, Source.INITIATIVE, Source.REFERRED], [60, 30, 10])[0]
    case_type = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
    assert case_type in CASE_TYPES
    parties = [svc.PartyIn(name=_name(rng), side="applicant", phone=f"138{rng.randint(0, 99999999):08d}"),
               svc.PartyIn(name=_name(rng), side="respondent")]
    new = svc.NewCase(town_id=town.id, case_type=case_type, summary=f"{case_type}纠纷（演示数据）",
                      parties=parties, source=source, referred_by=rng.choice(REFERRERS) if source is Source.REFERRED
                      else "", village_id=v.id, actor_label="演示数据")
    case = await svc.register_case(new, due_days=opts.due_days, on=day)
    at = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), TZ)
    await Case.filter(id=case.id).update(registered_at=at)
    actor = svc.Actor(user=mediators[0], label="演示数据")

    def when(days: int) -> dt.date | None:
        d = day + dt.timedelta(days=days)
        return d if d <= today else None

    if (d := when(rng.randint(0, 2))) is None:
        return True
    if rng.random() < 0.04:
        await svc.decline(case.id, actor, rng.choice(list(DECLINE_REASONS)), on=d)
        await svc.archive(case.id, actor)
        return True
    await svc.accept(case.id, actor, [rng.choice(mediators).id], due_days=opts.due_days, on=d)
    late = rng.random() < 0.05
    if (d := when(rng.randint(2, 8))) is None:
        return True
    await svc.record_session(case.id, actor, d, "双方到场，调解员释法说理，听取双方意见。", place=f"{v.name}调解室")
    if rng.random() < 0.02:
        await svc.set_flags(case.id, actor, {"prevented_criminal": True, "risk_escalation": True})
    other = random.Random(case.id).random()  # apart from rng: the rest of the demo stays as it was
    if other < 0.03:
        await svc.set_flags(case.id, actor, {"prevented_dispute": True})
    elif other < 0.04:
        await svc.set_flags(case.id, actor, {"prevented_mass_petition": True},
                            {"prevented_mass_petition": 5 + int(other * 1000) % 20})
    if (d := when(rng.randint(35, 60) if late else rng.randint(4, 24))) is None:
        return True
    roll = rng.random()
    if roll < 0.06:
        await svc.fail(case.id, actor, [rng.choice(("诉讼", "仲裁", "行政"))], on=d)
        await svc.archive(case.id, actor)
        return True
    if roll < 0.10:
        await svc.terminate(case.id, actor, "申请人撤回调解申请", on=d)
        await svc.archive(case.id, actor)
        return True
    amount = Decimal(rng.randrange(500, 80000, 100)) if case_type in MONEY_TYPES and rng.random() < 0.7 else None
    written = rng.random() < 0.8
    await svc.agree(case.id, actor, svc.AgreementIn(
        terms="双方自愿达成协议，按约定履行。", effective_on=d, form="written" if written else "oral",
        amount=amount, perform_by=d + dt.timedelta(days=rng.randint(7, 30))), followup_days=opts.followup_days)
    if written and rng.random() < 0.1 and (a := when((d - day).days + rng.randint(3, 20))) is not None:
        await svc.apply_confirmation(case.id, actor, a, court="县人民法院")
        if (b := when((a - day).days + rng.randint(5, 15))) is not None:
            await svc.decide_confirmation(case.id, actor, rng.random() < 0.9, b)
    if rng.random() < 0.85 and (f := when((d - day).days + rng.randint(15, 40))) is not None:
        try:
            await svc.record_follow_up(case.id, actor, f, rng.choices(["yes", "partly"], [92, 8])[0], True)
            await svc.archive(case.id, actor)
        except svc.TransitionRefused:
            pass  # e.g. a rejected confirmation: left for the mediators
    return True


def _questions(rng: random.Random, town: Town, year: int, now: dt.datetime, n: int) -> list[QuestionLog]:
    """Anonymised questions: a random keyed-hash stand-in for the asker, the topic and the answer band."""
    start = dt.datetime(year, 1, 1, tzinfo=TZ)
    span = int((min(dt.datetime(year + 1, 1, 1, tzinfo=TZ), now) - start).total_seconds())
    topics, weights = list(QUESTION_TOPICS), list(QUESTION_TOPICS.values())
    out = []
    for _ in range(n if span > 0 else 0):
        band = rng.choices(["high", "middle", "low"], [72, 14, 14])[0]
        topic = rng.choices(topics, weights)[0] if band != "low" else ""
        score = {"high": 0.9, "middle": 0.5, "low": 0.1}[band]
        text = f"（演示）{topic or '其他'}问题"
        out.append(QuestionLog(town=town, asker=f"{rng.getrandbits(128):032x}", question=text, topic=topic,
                               band=band, score=score,
                               created_at=start + dt.timedelta(seconds=rng.randrange(span))))
    return out


async def generate(opts: DemoOptions, progress: Callable[[str], None] = lambda _: None) -> DemoSummary:
    """Generate the demo data for `opts.year` and the year before (for the comparison)."""
    rng = random.Random(opts.seed)
    today = dt.datetime.now(TZ).date()
    if opts.year > today.year:
        raise DemoError(f"演示年份不能晚于今年（{today.year}年）。")
    towns = [(opts.town, opts.case_prefix, opts.studio_name)]
    if opts.scale == "county":
        towns += [(t, t.removesuffix("镇"), f"{t}人民调解委员会") for t in OTHER_TOWNS]
    s = DemoSummary()
    for name, prefix, studio in towns:
        town = await _town(opts, name, prefix, studio)
        s.towns.append(name)
        progress(f"{name}：村庄和法律明白人")
        villages, helpers, mediators = await _people(rng, town, rng.randint(18, 22), opts, s)
        for year, busy in ((opts.year - 1, 0.85), (opts.year, 1.0)):
            last = min(dt.date(year, 12, 31), today)
            acts = _activities(rng, town, villages, helpers, year, last, opts, busy)
            await Activity.bulk_create(acts, batch_size=500)
            s.activities += len(acts)
            questions = _questions(rng, town, year, dt.datetime.now(TZ), round(600 * busy))
            await QuestionLog.bulk_create(questions, batch_size=500)
            s.questions += len(questions)
            progress(f"{name}：{year}年活动{len(acts)}条，群众提问{len(questions)}条，纠纷")
            for _ in range(round(opts.cases_per_town * busy * rng.uniform(0.9, 1.1))):
                await _case(rng, town, rng.choice(villages), mediators, year, last, opts)
                s.cases += 1
    return s
