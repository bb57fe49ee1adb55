"""The yearly 积分 of 法律明白人 from their record (trainings, activities, screenings, disputes and legal-aid
referrals they brought), and who is on the roster on a day. Tables: models/helper_tables.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from models.core import Role, User
from models.helper_tables import HelperTraining, Referral, ReferralKind


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
    from models.screening_tables import Screening

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
