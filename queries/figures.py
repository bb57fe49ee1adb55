"""The figures of the 述法报告 and the dashboard: a typed tree, filled by queries.statistics, read by reports.render.

Pure data: no database, no I/O. Every count here is a count of records; which of them are written
exactly and which rounded down with 余 is decided by the renderers (reports.render.phrasing).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

# The three kinds of activity the report counts separately (issue 4's 类别).
KIND_EVENT = "普法宣传活动"
KIND_TRAINING = "普法专题培训"
KIND_MEETING = "法治建设专题会议"
KINDS = (KIND_EVENT, KIND_TRAINING, KIND_MEETING)

# 法律六进 targets, in the order of the 2006 notice.
SIX_TARGETS = ("机关", "乡村", "社区", "学校", "企业", "单位")

_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True)
class Period:
    """A reporting period: start inclusive, end exclusive, with its Chinese label."""

    start: date
    end: date
    label: str
    kind: str = "range"  # year / quarter / month / range

    @classmethod
    def year(cls, y: int) -> Period:
        """A calendar year."""
        return cls(date(y, 1, 1), date(y + 1, 1, 1), f"{y}年", "year")

    @classmethod
    def quarter(cls, y: int, q: int) -> Period:
        """A calendar quarter (1-4)."""
        if not 1 <= q <= 4:
            raise ValueError(f"quarter must be 1-4, got {q}")
        start = date(y, 3 * q - 2, 1)
        end = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
        return cls(start, end, f"{y}年{_QUARTERS[q - 1]}", "quarter")

    @classmethod
    def month(cls, y: int, m: int) -> Period:
        """A calendar month."""
        if not 1 <= m <= 12:
            raise ValueError(f"month must be 1-12, got {m}")
        end = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
        return cls(date(y, m, 1), end, f"{y}年{m}月", "month")

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """From `first` to `last`, both days included."""
        if last < first:
            raise ValueError("the end date is before the start date")
        label = f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
        return cls(first, last + timedelta(days=1), label, "range")

    @property
    def last_day(self) -> date:
        """The last day included."""
        return self.end - timedelta(days=1)

    @property
    def span_word(self) -> str:
        """How the report opens a sentence about the whole period: 全年, or the label."""
        return "全年" if self.kind == "year" else self.label

    def previous_year(self) -> Period:
        """The same period one year earlier."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind == "quarter":
            return Period.quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        if self.kind == "month":
            return Period.month(self.start.year - 1, self.start.month)
        return Period.between(_minus_year(self.start), _minus_year(self.last_day))

    def months(self) -> list[str]:
        """The months the period touches, as 'YYYY-MM'."""
        out, y, m = [], self.start.year, self.start.month
        while date(y, m, 1) < self.end:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _minus_year(d: date) -> date:
    day = min(d.day, calendar.monthrange(d.year - 1, d.month)[1])
    return date(d.year - 1, d.month, day)


@dataclass
class ActivityFigures:
    """Meetings, trainings and outreach events with their head counts."""

    meetings: int = 0
    trainings: int = 0
    training_participants: int = 0
    events: int = 0
    participants: int = 0  # people reached by outreach events (人次)
    materials: int = 0  # 普法宣传资料 handed out (份)
    consultations: int = 0  # 法律咨询 answered at events (人次)
    by_form: dict[str, int] = field(default_factory=dict)  # outreach events per form
    by_target: dict[str, int] = field(default_factory=dict)  # outreach events per 六进 target
    by_village: dict[str, int] = field(default_factory=dict)  # outreach events per village
    by_month: dict[str, int] = field(default_factory=dict)  # outreach events per 'YYYY-MM'


@dataclass
class VillageCoverage:
    """One village's helpers against the ratio (households per 骨干) and the floor (helpers per village)."""

    name: str
    households: int
    helpers: int
    core: int
    ratio: int = 10
    floor: int = 3
    town: str = ""
    covered: int = 0  # households the village's helpers cover (联系户), as recorded in their profiles
    share: float = 0.5  # the target share of households covered by helpers

    @property
    def households_per_core(self) -> float | None:
        """Households per 骨干; None when the village has no 骨干."""
        return round(self.households / self.core, 1) if self.core else None

    @property
    def covered_households(self) -> int:
        """Households covered, at most the village's households (two helpers may list one household)."""
        return min(self.covered, self.households)

    @property
    def household_share(self) -> float | None:
        """Share of the village's households covered by helpers (0..1); None without households."""
        return self.covered_households / self.households if self.households else None

    @property
    def meets_share(self) -> bool:
        """Helpers cover at least `share` of the households (a village with no households meets it)."""
        return self.covered_households >= self.share * self.households

    @property
    def meets_ratio(self) -> bool:
        """At least one 骨干 for every `ratio` households (a village with no households meets it)."""
        return self.core * self.ratio >= self.households

    @property
    def meets_floor(self) -> bool:
        """At least `floor` helpers in the village."""
        return self.helpers >= self.floor

    @property
    def core_needed(self) -> int:
        """How many more 骨干 the ratio asks for."""
        return max(0, -(-self.households // self.ratio) - self.core) if self.ratio else 0


@dataclass
class HelperFigures:
    """法律明白人 and 骨干, and coverage per village."""

    helpers: int = 0
    core: int = 0
    ratio: int = 10
    floor: int = 3
    share: float = 0.5  # target share of households covered by helpers (联系户), e.g. 0.5 for 50%
    villages: list[VillageCoverage] = field(default_factory=list)

    @property
    def households(self) -> int:
        """Households of all villages."""
        return sum(v.households for v in self.villages)

    @property
    def covered(self) -> int:
        """Households covered by helpers (联系户), each village at most its households."""
        return sum(v.covered_households for v in self.villages)

    @property
    def covered_recorded(self) -> bool:
        """Some helper has households recorded: without any, the share cannot be told."""
        return any(v.covered for v in self.villages)

    @property
    def households_per_core(self) -> float | None:
        """Households of the villages per 骨干 (None without households or 骨干)."""
        return round(self.households / self.core, 1) if self.core and self.households else None

    @property
    def household_share(self) -> float | None:
        """Share of all households covered by helpers (0..1); None without households."""
        return self.covered / self.households if self.households else None

    @property
    def all_meet_share(self) -> bool:
        """Every village reaches the share (False when there are no villages)."""
        return bool(self.villages) and all(v.meets_share for v in self.villages)

    @property
    def below_share(self) -> list[VillageCoverage]:
        """Villages whose helpers cover less than the target share of households."""
        return [v for v in self.villages if not v.meets_share]

    @property
    def all_meet_ratio(self) -> bool:
        """Every village has one 骨干 per `ratio` households (False when there are no villages)."""
        return bool(self.villages) and all(v.meets_ratio for v in self.villages)

    @property
    def below_ratio(self) -> list[VillageCoverage]:
        """Villages short of the ratio."""
        return [v for v in self.villages if not v.meets_ratio]

    @property
    def below_floor(self) -> list[VillageCoverage]:
        """Villages with fewer helpers than the floor."""
        return [v for v in self.villages if not v.meets_floor]


@dataclass
class DisputeFigures:
    """Disputes received in the period and what became of them."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0  # 不予受理
    agreed: int = 0  # 达成协议 (调解成功)
    failed: int = 0  # 调解不成
    terminated: int = 0  # 终止
    in_progress: int = 0
    amount: float = 0.0  # yuan, in agreements reached
    avg_days_to_close: float | None = None
    overdue: int = 0  # open past the deadline, or closed after it
    escalated: int = 0  # 上交
    prevented_criminal: int = 0  # 防止民转刑
    risk_flagged: int = 0  # §25 risk of escalation
    judicial_applied: int = 0
    judicial_confirmed: int = 0
    closed: int = 0  # cases closed (closed_on set), whatever the outcome
    escalation_recorded: int = 0  # of the closed cases, those whose 上交 (yes or no) was recorded
    from_petition: int = 0  # cases transferred from 信访
    followups: int = 0  # follow-up visits made
    followups_performed: int = 0  # of which the agreement was performed
    by_type: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, int] = field(default_factory=dict)

    @property
    def concluded(self) -> int:
        """Cases whose mediation ended: agreed, failed or terminated."""
        return self.agreed + self.failed + self.terminated

    @property
    def escalation_free(self) -> bool:
        """"矛盾不上交" can be claimed: escalation recorded for every closed case, none escalated, none from 信访."""
        return bool(self.closed) and self.escalation_recorded == self.closed and not self.escalated \
            and not self.from_petition

    @property
    def success_rate(self) -> float | None:
        """调解成功率: agreed over concluded cases, in percent; None before any case concluded."""
        return round(100.0 * self.agreed / self.concluded, 1) if self.concluded else None


@dataclass
class QuestionFigures:
    """Villagers' questions in chat (anonymised log)."""

    asked: int = 0
    unanswered: int = 0
    by_topic: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, int] = field(default_factory=dict)  # askers who came through a village QR code

    @property
    def answered(self) -> int:
        """Questions that got an answer."""
        return self.asked - self.unanswered


@dataclass(frozen=True)
class ScreeningFigures:
    """The 排查 figures of a period, as the report and the studio statistics quote them."""

    times: int = 0  # 排查次数
    village_times: int = 0
    town_times: int = 0
    villages: int = 0  # villages that screened at least once
    found: int = 0
    resolved: int = 0
    registered: int = 0

    @classmethod
    def total(cls, parts: list[ScreeningFigures]) -> ScreeningFigures:
        """The figures of several towns added up (the county)."""
        names = ("times", "village_times", "town_times", "villages", "found", "resolved", "registered")
        return cls(**{n: sum(getattr(p, n) for p in parts) for n in names})

    def sentence(self) -> str:
        """One report sentence, or '' when nothing was screened."""
        if not self.times:
            return ""
        parts = [f"组织开展矛盾纠纷排查{self.times}次"]
        if self.village_times and self.town_times:
            parts[0] += f"（村级{self.village_times}次、镇级{self.town_times}次）"
        if self.found:
            tail = f"排查发现矛盾纠纷{self.found}件"
            done = []
            if self.resolved:
                done.append(f"当场化解{self.resolved}件")
            if self.registered:
                done.append(f"登记进入调解程序{self.registered}件")
            parts.append(tail + ("，其中" + "、".join(done) if done else ""))
        else:
            parts.append("未发现矛盾纠纷")
        return "，".join(parts) + "。"


@dataclass
class ReportFigures:
    """Everything the report section and the dashboard show, for one town (or the county) and period."""

    town: str
    period: Period
    village: str | None = None
    activities: ActivityFigures = field(default_factory=ActivityFigures)
    helpers: HelperFigures = field(default_factory=HelperFigures)
    disputes: DisputeFigures = field(default_factory=DisputeFigures)
    questions: QuestionFigures = field(default_factory=QuestionFigures)
    screenings: ScreeningFigures = field(default_factory=ScreeningFigures)  # 矛盾纠纷排查 (services.screening)
    previous: ReportFigures | None = None  # the same period a year earlier, when there was data
    is_county: bool = False

    @property
    def has_data(self) -> bool:
        """Anything recorded in the period at all."""
        a, d = self.activities, self.disputes
        return bool(a.meetings or a.trainings or a.events or d.received or self.questions.asked
                    or self.screenings.times)

    @property
    def subject(self) -> str:
        """Who the sentences speak for: 我镇, 全县, or the village."""
        if self.village:
            return self.village
        return "全县" if self.is_county else "我镇"


@dataclass
class CountyFigures:
    """Every town side by side and the county totals."""

    county: str
    period: Period
    towns: list[ReportFigures]
    total: ReportFigures


def _add_counts(into: dict[str, int], more: dict[str, int]) -> None:
    for k, v in more.items():
        into[k] = into.get(k, 0) + v


def sum_figures(parts: list[ReportFigures], name: str, period: Period) -> ReportFigures:
    """County totals: counts added, coverage concatenated, averages weighted by closed cases."""
    total = ReportFigures(town=name, period=period, is_county=True)
    a, h, d, q = total.activities, total.helpers, total.disputes, total.questions
    closed_days, closed = 0.0, 0
    for p in parts:
        pa, ph, pd, pq = p.activities, p.helpers, p.disputes, p.questions
        for attr in ("meetings", "trainings", "training_participants", "events", "participants",
                     "materials", "consultations"):
            setattr(a, attr, getattr(a, attr) + getattr(pa, attr))
        for attr in ("by_form", "by_target", "by_month"):
            _add_counts(getattr(a, attr), getattr(pa, attr))
        _add_counts(a.by_village, {f"{p.town}{k}": v for k, v in pa.by_village.items()})
        h.helpers += ph.helpers
        h.core += ph.core
        h.ratio, h.floor, h.share = ph.ratio, ph.floor, ph.share
        h.villages.extend(ph.villages)
        for attr in ("received", "accepted", "rejected", "agreed", "failed", "terminated", "in_progress",
                     "overdue", "escalated", "prevented_criminal", "risk_flagged", "judicial_applied",
                     "closed", "escalation_recorded", "from_petition",
                     "judicial_confirmed", "followups", "followups_performed"):
            setattr(d, attr, getattr(d, attr) + getattr(pd, attr))
        d.amount += pd.amount
        _add_counts(d.by_type, pd.by_type)
        _add_counts(d.by_source, pd.by_source)
        _add_counts(d.by_village, {f"{p.town}{k}": v for k, v in pd.by_village.items()})
        if pd.avg_days_to_close is not None:
            n = pd.concluded or 1
            closed_days += pd.avg_days_to_close * n
            closed += n
        q.asked += pq.asked
        q.unanswered += pq.unanswered
        _add_counts(q.by_topic, pq.by_topic)
        _add_counts(q.by_village, {f"{p.town}{k}": v for k, v in pq.by_village.items()})
    d.avg_days_to_close = round(closed_days / closed, 1) if closed else None
    total.screenings = ScreeningFigures.total([p.screenings for p in parts])
    prevs = [p.previous for p in parts if p.previous is not None]
    if prevs:
        total.previous = sum_figures(prevs, name, period.previous_year())
    return total


@dataclass
class ActivityRow:
    """One activity of the ledger, or (`count` > 1) a group of them: village x month x kind."""

    day: str  # 'YYYY-MM-DD', or 'YYYY-MM' for a group
    village: str
    kind: str
    form: str = ""
    target: str = ""
    theme: str = ""
    participants: int = 0
    materials: int = 0
    consultations: int = 0
    count: int = 1
    town: str = ""


@dataclass
class DisputeRow:
    """One dispute (or a group of them) without personal data: no party names, phones, ID numbers or narrative."""

    case_no: str
    village: str
    type: str
    source: str
    status: str
    received: str  # 'YYYY-MM-DD'
    accepted: int  # 1/0 for one case, a count for a group
    outcome: str  # 达成协议 / 调解不成 / 终止 / 调解中 / 不予受理 / 待受理
    closed: str = ""
    days: int | None = None
    amount: float = 0.0
    escalated: int = 0  # 1/0 for one case, a count for a group
    prevented_criminal: int = 0
    town: str = ""
    count: int = 1  # cases in the row: 1, or a group (village x type x source x outcome)


@dataclass
class ReportDetail:
    """The rows behind the figures, for the xlsx detail sheets."""

    activities: list[ActivityRow] = field(default_factory=list)
    disputes: list[DisputeRow] = field(default_factory=list)
    activities_grouped: bool = False  # True when the ledger was too long and rows are village x month x kind
    disputes_grouped: bool = False  # True when there were too many cases and rows are groups


# Outcomes of a dispute, as the detail sheet writes them.
OUTCOME_PENDING = "待受理"
OUTCOME_REJECTED = "不予受理"
OUTCOME_ONGOING = "调解中"
OUTCOME_AGREED = "达成协议"
OUTCOME_FAILED = "调解不成"
OUTCOME_TERMINATED = "终止"


def parse_period(
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    first: date | None = None,
    last: date | None = None,
) -> Period:
    """The period named by a year (with a quarter or month), or by first and last days."""
    if first is not None or last is not None:
        if first is None or last is None:
            raise ValueError("give both the first and the last day")
        return Period.between(first, last)
    if year is None:
        raise ValueError("give a year, or the first and last day")
    if quarter is not None and month is not None:
        raise ValueError("give a quarter or a month, not both")
    if quarter is not None:
        return Period.quarter(year, quarter)
    if month is not None:
        return Period.month(year, month)
    return Period.year(year)
