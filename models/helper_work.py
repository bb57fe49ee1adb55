"""法律明白人's own record: where they come from, households they cover, when they joined and left, the
trainings they attended, the disputes and legal-aid referrals they brought, and the yearly 积分 from all of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.models import Model

from models.core import Role, User
from models.privacy import scrub_text

# 乡村"法律明白人"培养工作规范（试行）: helpers are chosen from these groups.
SOURCES = ("村干部", "人民调解员", "网格员", "五老", "退役军人", "致富带头人", "其他")
MAX_HOURS = Decimal("200")


class HelperProfile(Model):
    """What the roster keeps about a helper beyond name, village and 骨干: source, households, service period"""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "core.User", related_name="helper_profile", on_delete=fields.CASCADE
    )
    source = fields.CharField(max_length=16, default="")  # one of SOURCES, or ''
    households = fields.IntField(default=0)  # households this helper covers (联系户)
    joined_on = fields.DateField(null=True)  # 加入日期; None: before records began
    left_on = fields.DateField(null=True)  # 退出日期

    user_id: int

    class Meta:
        table = "helper_profile"


class HelperTraining(Model):
    """A training a helper attended (组织法律明白人参加普法学习培训): date, theme, hours"""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="trainings", on_delete=fields.CASCADE
    )
    date = fields.DateField(db_index=True)
    theme = fields.CharField(max_length=200, default="")
    hours = fields.DecimalField(max_digits=5, decimal_places=1, default=0)
    organiser = fields.CharField(max_length=64, default="")
    fingerprint = fields.CharField(max_length=40)  # the same submission twice is one record
    created_at = fields.DatetimeField(auto_now_add=True)

    user_id: int

    class Meta:
        table = "helper_training"
        unique_together = (("user", "fingerprint"),)


class ReferralKind(StrEnum):
    """What a helper brought: a dispute to the studio, or a person to legal aid."""

    DISPUTE = "dispute"
    LEGAL_AID = "legal_aid"

    @property
    def label(self) -> str:
        """The kind's Chinese name."""
        return "报告矛盾纠纷" if self is ReferralKind.DISPUTE else "引导法律援助"


class Referral(Model):
    """A dispute a helper reported or a person they referred to legal aid, credited to them"""

    id = fields.BigIntField(primary_key=True)
    helper: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="referrals", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ReferralKind, max_length=12)
    date = fields.DateField(db_index=True)
    case: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "mediation.Case", related_name="referrals", null=True, on_delete=fields.SET_NULL
    )
    note = fields.CharField(max_length=200, default="")  # what it was about; no names or numbers (masked)
    created_at = fields.DatetimeField(auto_now_add=True)

    helper_id: int

    class Meta:
        table = "helper_referral"


class HelperWorkError(Exception):
    """A refused write; the message is polite Chinese."""

    def __init__(self, message: str, code: str = "invalid", existing: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.existing = existing


async def record_training(user: User, date: dt.date, theme: str, hours: Decimal, *, organiser: str = "",
                          today: dt.date) -> HelperTraining:
    """A helper attended a training; the same one sent twice raises HelperWorkError(code='exists')."""
    if date > today:
        raise HelperWorkError(f"{date:%Y年%-m月%-d日}还没到，不能登记未来的培训。")
    if not Decimal(0) < hours <= MAX_HOURS:
        raise HelperWorkError(f"学时要大于0、不超过{MAX_HOURS}小时。")
    theme = theme.strip()
    if not theme or len(theme) > 200:
        raise HelperWorkError("请写培训主题（200字以内），比如“民法典婚姻家庭编”。")
    key = hashlib.sha256(f"{date}\x1f{theme}\x1f{hours}\x1f{organiser.strip()}".encode()).hexdigest()[:40]
    try:
        return await HelperTraining.create(user=user, date=date, theme=theme, hours=hours,
                                           organiser=organiser.strip()[:64], fingerprint=key)
    except IntegrityError:
        existing = await HelperTraining.get_or_none(user=user, fingerprint=key)
        raise HelperWorkError(f"这次培训已经登记过（编号{existing.id if existing else '?'}）。", code="exists",
                              existing=existing.id if existing else None) from None


async def record_referral(helper_id: int, kind: ReferralKind, date: dt.date, note: str, *,
                          today: dt.date) -> Referral:
    """A dispute a helper reported or a person they referred to legal aid; names and numbers in the note masked."""
    if date > today:
        raise HelperWorkError(f"{date:%Y年%-m月%-d日}还没到，请写已经发生的日期。")
    return await Referral.create(helper_id=helper_id, kind=kind, date=date, note=scrub_text(note)[:200])


async def set_profile(user: User, **values: Any) -> HelperProfile:
    """Create or update a helper's profile (source, households, joined_on, left_on), checked."""
    source = values.get("source")
    if source is not None and source not in ("", *SOURCES):
        raise HelperWorkError(f"来源请从{'、'.join(SOURCES)}中选。")
    households = values.get("households")
    if households is not None and not 0 <= households <= 10000:
        raise HelperWorkError("联系户数要在0到10000之间。")
    profile, _ = await HelperProfile.get_or_create(user=user)
    for name, value in values.items():
        if value is not None:
            setattr(profile, name, value)
    if profile.joined_on and profile.left_on and profile.left_on < profile.joined_on:
        raise HelperWorkError("退出日期不能早于加入日期。")
    await profile.save()
    return profile


def on_roster(day: dt.date) -> Q:
    """Helpers in service on `day`: joined by then (or before records began) and not yet left."""
    joined = Q(helper_profile__joined_on__isnull=True) | Q(helper_profile__joined_on__lte=day)
    return joined & (Q(helper_profile__left_on__isnull=True) | Q(helper_profile__left_on__gt=day))


async def roster_at(town_ids: list[int] | None, day: dt.date) -> tuple[int, int]:
    """(helpers, 骨干) in service on `day`: a past year's figure does not change when people join or leave later."""
    query = User.filter(role=Role.HELPER).filter(on_roster(day))
    if town_ids is not None:
        query = query.filter(town_id__in=town_ids)
    helpers = await query.count()
    core = await query.filter(is_core=True).count()
    return helpers, core


@dataclass(frozen=True)
class PointRules:
    """Points a year's work earns (configurable: [points])."""

    activity: int = 2
    screening: int = 1
    dispute_found: int = 1
    referral: int = 2
    training: int = 1


@dataclass
class HelperPoints:
    """One helper's year."""

    user_id: int
    name: str
    village: str
    is_core: bool
    activities: int = 0
    screenings: int = 0
    disputes_found: int = 0  # found in their screenings, and disputes they reported
    referrals: int = 0  # people they referred to legal aid
    trainings: int = 0
    points: int = 0


@dataclass
class PointsTable:
    """The yearly 积分 of every helper of a town, and per village."""

    year: int
    rules: PointRules
    helpers: list[HelperPoints] = field(default_factory=list)

    def villages(self) -> list[tuple[str, int, int]]:
        """(village, helpers, points) by points, highest first."""
        acc: dict[str, list[int]] = {}
        for h in self.helpers:
            row = acc.setdefault(h.village, [0, 0])
            row[0] += 1
            row[1] += h.points
        return sorted(((v, n, p) for v, (n, p) in acc.items()), key=lambda r: (-r[2], r[0]))


async def points_table(town_id: int, year: int, rules: PointRules) -> PointsTable:
    """Count each helper's activities, screenings, disputes found, referrals and trainings of the year."""
    from models.outreach import Activity
    from models.screening import Screening

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    people = await User.filter(town_id=town_id, role=Role.HELPER).filter(on_roster(end)) \
        .order_by("village_id", "display_name").prefetch_related("village")
    table = PointsTable(year, rules, [HelperPoints(u.id, u.display_name, u.village.name if u.village else "",
                                                   u.is_core) for u in people])
    by_id = {h.user_id: h for h in table.helpers}
    ids = list(by_id)
    if not ids:
        return table

    async def counts(query: Any, key: str, **agg: Any) -> list[dict[str, Any]]:
        return await query.group_by(key).annotate(**agg).values(key, *agg)  # type: ignore[no-any-return]

    period = {"date__gte": start, "date__lte": end}
    for row in await counts(Activity.filter(author_id__in=ids, withdrawn=False, **period), "author_id",
                            n=Count("id")):
        by_id[row["author_id"]].activities = int(row["n"])
    for row in await counts(Screening.filter(author_id__in=ids, withdrawn=False, **period), "author_id",
                            n=Count("id"), found=Sum("found")):
        by_id[row["author_id"]].screenings = int(row["n"])
        by_id[row["author_id"]].disputes_found += int(row["found"] or 0)
    for row in await counts(Referral.filter(helper_id__in=ids, kind=ReferralKind.LEGAL_AID, **period), "helper_id",
                            n=Count("id")):
        by_id[row["helper_id"]].referrals = int(row["n"])
    for row in await counts(Referral.filter(helper_id__in=ids, kind=ReferralKind.DISPUTE, **period), "helper_id",
                            n=Count("id")):
        by_id[row["helper_id"]].disputes_found += int(row["n"])
    for row in await counts(HelperTraining.filter(user_id__in=ids, **period), "user_id", n=Count("id")):
        by_id[row["user_id"]].trainings = int(row["n"])
    for h in table.helpers:
        h.points = (h.activities * rules.activity + h.screenings * rules.screening
                    + h.disputes_found * rules.dispute_found + h.referrals * rules.referral
                    + h.trainings * rules.training)
    table.helpers.sort(key=lambda h: (-h.points, h.village, h.name))
    return table
