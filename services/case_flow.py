"""The mediation case life cycle (人民调解法) as a pure graph: actions and the rules between the statuses
(the statuses themselves are stored: models/mediation.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from models.mediation import Status

# §33: both parties may apply for judicial confirmation within 30 days of the agreement taking effect.
CONFIRMATION_WINDOW_DAYS = 30

CASE_TYPES: tuple[str, ...] = (
    "婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁",
    "环境污染", "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他",
)


REFERRERS: tuple[str, ...] = ("法院", "公安", "信访", "政府")


class Action(StrEnum):
    """What a mediator or admin does to a case."""

    ACCEPT = "accept"
    DECLINE = "decline"
    ASSIGN = "assign"
    RECORD_SESSION = "record_session"
    AGREE = "agree"
    FAIL = "fail"
    TERMINATE = "terminate"
    FOLLOW_UP = "follow_up"
    APPLY_CONFIRMATION = "apply_confirmation"
    CONFIRM = "confirm"
    REJECT_CONFIRMATION = "reject_confirmation"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    REPLACE_MEDIATOR = "replace_mediator"
    EXTEND = "extend"
    SCHEDULE = "schedule"
    INVESTIGATE = "investigate"

    @property
    def label(self) -> str:
        """The action's Chinese name, as on the console's buttons."""
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.ACCEPT: "受理",
    Action.DECLINE: "不予受理",
    Action.ASSIGN: "指派调解员",
    Action.RECORD_SESSION: "记录调解情况",
    Action.AGREE: "达成协议",
    Action.FAIL: "调解不成",
    Action.TERMINATE: "终止调解",
    Action.FOLLOW_UP: "履行回访",
    Action.APPLY_CONFIRMATION: "申请司法确认",
    Action.CONFIRM: "司法确认通过",
    Action.REJECT_CONFIRMATION: "司法确认未通过",
    Action.REOPEN: "重新调解",
    Action.ARCHIVE: "归档",
    Action.REPLACE_MEDIATOR: "更换/回避调解员",
    Action.EXTEND: "延长期限",
    Action.SCHEDULE: "约定调解时间",
    Action.INVESTIGATE: "记录调查",
}

S, A = Status, Action
# (status, action) -> next status. Anything not listed is refused.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.REGISTERED, A.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, A.DECLINE): S.DECLINED,
    (S.ACCEPTED, A.ASSIGN): S.MEDIATING,
    (S.ACCEPTED, A.TERMINATE): S.TERMINATED,
    (S.ACCEPTED, A.INVESTIGATE): S.ACCEPTED,
    (S.ACCEPTED, A.EXTEND): S.ACCEPTED,
    (S.MEDIATING, A.REPLACE_MEDIATOR): S.MEDIATING,
    (S.MEDIATING, A.EXTEND): S.MEDIATING,
    (S.MEDIATING, A.SCHEDULE): S.MEDIATING,
    (S.MEDIATING, A.INVESTIGATE): S.MEDIATING,
    (S.MEDIATING, A.ASSIGN): S.MEDIATING,
    (S.MEDIATING, A.RECORD_SESSION): S.MEDIATING,
    (S.MEDIATING, A.AGREE): S.AGREED,
    (S.MEDIATING, A.FAIL): S.FAILED,
    (S.MEDIATING, A.TERMINATE): S.TERMINATED,
    (S.AGREED, A.FOLLOW_UP): S.FOLLOWED_UP,
    (S.AGREED, A.APPLY_CONFIRMATION): S.CONFIRMATION_APPLIED,
    (S.FOLLOWED_UP, A.FOLLOW_UP): S.FOLLOWED_UP,
    (S.FOLLOWED_UP, A.APPLY_CONFIRMATION): S.CONFIRMATION_APPLIED,
    (S.FOLLOWED_UP, A.ARCHIVE): S.ARCHIVED,
    (S.CONFIRMATION_APPLIED, A.CONFIRM): S.CONFIRMED,
    (S.CONFIRMATION_APPLIED, A.REJECT_CONFIRMATION): S.CONFIRMATION_REJECTED,
    (S.CONFIRMED, A.FOLLOW_UP): S.FOLLOWED_UP,
    (S.CONFIRMED, A.ARCHIVE): S.ARCHIVED,
    (S.CONFIRMATION_REJECTED, A.REOPEN): S.MEDIATING,
    (S.CONFIRMATION_REJECTED, A.ARCHIVE): S.ARCHIVED,
    (S.DECLINED, A.ARCHIVE): S.ARCHIVED,
    (S.FAILED, A.ARCHIVE): S.ARCHIVED,
    (S.TERMINATED, A.ARCHIVE): S.ARCHIVED,
}
del S, A

OPEN_STATUSES = frozenset({Status.REGISTERED, Status.ACCEPTED, Status.MEDIATING})
AGREEMENT_STATUSES = frozenset(
    {Status.AGREED, Status.FOLLOWED_UP, Status.CONFIRMATION_APPLIED, Status.CONFIRMED, Status.CONFIRMATION_REJECTED}
)

# 不予受理: a party refuses (§17), not a matter for people's mediation (若干规定 §22), already before a court.
DECLINE_REASONS: dict[str, str] = {
    "party_refuses": "当事人一方明确拒绝调解（《人民调解法》第十七条）",
    "not_mediable": "不属于人民调解范围（《人民调解工作若干规定》第二十二条）",
    "in_court": "已经进入诉讼、仲裁或行政处理程序",
}
# 终止调解: §23 a party may refuse or end mediation; §25 a dispute about to escalate is handed on.
TERMINATE_REASONS: dict[str, str] = {
    "party_withdraws": "当事人要求终止调解（《人民调解法》第二十三条）",
    "party_absent": "当事人无正当理由不参加调解",
    "in_court": "当事人已向人民法院起诉或申请仲裁",
    "handed_over": "纠纷可能激化，已移交有关部门处理（《人民调解法》第二十五条）",
    "other": "其他原因",
}
# §26: the routes the parties were told of when mediation failed.
FAIL_ROUTES: tuple[str, ...] = ("诉讼", "仲裁", "行政")
AGREEMENT_FORMS: dict[str, str] = {"written": "书面协议（第二十九条）", "oral": "口头协议（第三十条）"}
PERFORMED: dict[str, str] = {"yes": "已履行", "partly": "部分履行", "no": "未履行"}

NEXT_STEP_TEXT = {
    Status.REGISTERED: "调解工作室会尽快审查并联系您。",
    Status.DECLINED: "本案不予受理，工作人员会告诉您原因和可以走的其他途径。",
    Status.ACCEPTED: "已受理，正在安排调解员。",
    Status.MEDIATING: "调解员正在调解，会与您约定时间地点。",
    Status.AGREED: "已达成调解协议，请按约定履行；需要时可在协议生效30日内共同向法院申请司法确认。",
    Status.FAILED: "调解未成功。您可以依法通过诉讼、仲裁或行政途径维护权利。",
    Status.TERMINATED: "调解已终止。如有需要，可以重新申请调解或通过其他途径解决。",
    Status.FOLLOWED_UP: "工作人员已回访协议履行情况。",
    Status.CONFIRMATION_APPLIED: "已向法院申请司法确认，请等待法院审查。",
    Status.CONFIRMED: "法院已确认调解协议有效；对方不履行的，可以申请法院强制执行。",
    Status.CONFIRMATION_REJECTED: "法院未确认协议效力，可以重新调解或向法院起诉。",
    Status.ARCHIVED: "案件已办结归档。",
}


class TransitionRefused(Exception):
    """An action the life-cycle graph (or one of its rules) does not allow; the message is Chinese."""


def allowed_actions(status: Status) -> list[Action]:
    """The actions the graph allows from a status, in a stable order."""
    return [a for a in Action if (status, a) in TRANSITIONS]


def next_status(status: Status, action: Action) -> Status:
    """The status an action leads to; TransitionRefused when the graph has no such edge."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionRefused(f"案件当前状态为“{status.label}”，不能“{action.label}”。") from None


def confirmation_deadline(effective_on: date) -> date:
    """The last day to apply for judicial confirmation (§33: within 30 days of the agreement taking effect)."""
    return effective_on + timedelta(days=CONFIRMATION_WINDOW_DAYS)


def check_confirmation_window(effective_on: date | None, form: str, applied_on: date) -> None:
    """Refuse a judicial-confirmation application outside the §33 window or without a written agreement."""
    if effective_on is None or form != "written":
        raise TransitionRefused("只有书面调解协议可以申请司法确认。")
    if applied_on < effective_on:
        raise TransitionRefused("申请日期不能早于协议生效日期。")
    if applied_on > confirmation_deadline(effective_on):
        raise TransitionRefused(
            f"已超过司法确认申请期限（协议生效之日起30日内，截至{confirmation_deadline(effective_on):%Y年%m月%d日}）。"
        )


def mediation_due(accepted_on: date, due_days: int) -> date:
    """The day by which a case should be closed (若干规定 §33: normally within one month)."""
    return accepted_on + timedelta(days=due_days)


def follow_up_due(agreed_on: date, perform_by: date | None, followup_days: int) -> date:
    """The day a follow-up visit is due: the performance deadline if agreed, else followup_days later."""
    return perform_by if perform_by is not None else agreed_on + timedelta(days=followup_days)


@dataclass(frozen=True)
class Deadline:
    """A dated obligation on a case: the reminder kind, its due day, and a Chinese description."""

    kind: str
    due_on: date
    text: str

    def overdue(self, today: date) -> bool:
        """True when the day has passed."""
        return today > self.due_on


def format_case_number(year: int, prefix: str, seq: int) -> str:
    """〔2026〕江湾调字第12号: given at 受理."""
    return f"〔{year}〕{prefix}调字第{seq}号"


def format_registration_number(year: int, prefix: str, seq: int) -> str:
    """〔2026〕江湾登字第12号: given at registration, before the studio decides whether to accept."""
    return f"〔{year}〕{prefix}登字第{seq}号"
