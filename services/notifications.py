"""Who is told what about a case: rows queued in the transaction of the event, claimed once by whoever sends them.

A notification is written together with the change it reports (so a rolled-back change tells nobody), and
sent later by the worker: `claim` turns one pending row into 'sending' with a single conditional UPDATE, so
two worker processes never send the same row twice. The rows are the log of what was sent to whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from knowledge.wording.dates import TZ
from models.core import Role, User
from models.mediation import AuditEntry, Case, Notification
from services.case_flow import DECLINE_REASONS, TERMINATE_REASONS

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  # doubled after each failure: 1, 2, 4, 8 minutes
WINDOW = timedelta(hours=48)  # WeChat's customer-service window after the user's last message


def _applicant_text(event: str, case: Case, note: str) -> str | None:
    num = case.display_number
    if event == "accept":
        return (f"【调解受理】您的调解申请已受理，调解案号：{case.number}。人民调解不收费，调解员会尽快与您联系。"
                f"回复“查询 {num}”查看进度。")
    if event == "decline":
        reason = DECLINE_REASONS.get(case.decline_reason, "不符合受理条件")
        return (f"【调解申请】很抱歉，您的申请（{num}）不予受理，原因：{reason}。"
                "您可以向有关部门申请处理、申请仲裁或向人民法院起诉；需要法律帮助请拨打12348公共法律服务热线。")
    if event == "schedule" and case.session_at is not None:
        when = f"{case.session_at.astimezone(TZ):%Y年%m月%d日 %H:%M}"
        return f"【调解通知】案件{num}定于{when}在{case.session_place}调解，请准时参加；不能到场请提前联系调解员。"
    if event == "agree":
        written = "书面" in note
        tail = ("如双方认为有必要，可在协议生效之日起30日内共同向人民法院申请司法确认。" if written
                else "口头协议自达成之日起生效，请按约定履行。")
        return f"【调解结果】案件{num}已达成调解协议，请按约定履行。{tail}"
    if event == "fail":
        return (f"【调解结果】案件{num}调解未成。您可以依法通过诉讼、仲裁或行政途径解决；"
                "需要法律帮助请拨打12348公共法律服务热线。")
    if event == "terminate":
        reason = TERMINATE_REASONS.get(case.end_reason, "")
        return f"【调解结果】案件{num}已终止调解" + (f"（{reason}）" if reason else "") + "。如有需要可以重新申请调解。"
    if event == "archive":
        return f"【调解办结】案件{num}已办结归档。感谢您对人民调解工作的支持。"
    return None


def _staff_text(event: str, case: Case) -> str | None:
    if event == "new_case":
        # No names or phones: staff open the console for the details.
        return (f"【新的调解申请】{case.reg_number}，{case.case_type}纠纷，{case.village_name or '未填村'}，"
                f"来源：{case.source.value}。请登录调解工作台审查是否受理。")
    return None


async def _staff(case: Case) -> list[User]:
    return list(await User.filter(town_id=case.town_id, active=True, openid__not_isnull=True,  # type: ignore[attr-defined]
                                  role__in=[Role.MEDIATOR, Role.ADMIN]).order_by("id"))


async def queue_for_event(event: str, case: Case) -> None:
    """The notifications an event causes, written in the event's own transaction (see cases.on_event)."""
    last = await AuditEntry.filter(case_id=case.id).order_by("-id").first()
    note = last.note if last is not None else ""
    tag = f"{case.id}:{event}:{last.id if last else 0}"
    rows: list[tuple[str, str, str]] = []
    text = _applicant_text(event, case, note)
    if text and case.applicant_openid:
        rows.append((case.applicant_openid, "申请人", text))
    staff_text = _staff_text(event, case)
    if staff_text:
        rows += [(u.openid or "", u.display_name, staff_text) for u in await _staff(case)]
    for openid, label, body in rows:
        try:
            await Notification.create(case_id=case.id, key=f"{tag}:{openid}"[:128], kind=event, openid=openid,
                                      recipient_label=label[:64], text=body)
        except IntegrityError:
            pass  # the same event told to the same person already


@dataclass(frozen=True)
class Outgoing:
    """A claimed notification and how to send it."""

    id: int
    openid: str
    text: str
    kind: str
    channel: str  # custom / template
    attempt: int


async def due(now: datetime, limit: int = 100) -> list[int]:
    """Pending notifications whose time has come, oldest first."""
    rows = await Notification.filter(Q(not_before__isnull=True) | Q(not_before__lte=now), status="pending") \
        .order_by("id").limit(limit).values_list("id", flat=True)
    return [int(r) for r in rows]  # type: ignore[call-overload]


async def claim(notification_id: int, now: datetime) -> Outgoing | None:
    """Take a pending notification for sending; None when another process has it (or it is not due)."""
    taken = await Notification.filter(Q(not_before__isnull=True) | Q(not_before__lte=now), id=notification_id,
                                      status="pending").update(status="sending", attempts=F("attempts") + 1)
    if not taken:
        return None
    n = await Notification.get(id=notification_id).prefetch_related("case")
    seen = n.case.applicant_seen_at if n.recipient_label == "申请人" else None
    channel = "custom" if seen is not None and now - seen <= WINDOW else "template"
    return Outgoing(n.id, n.openid, n.text, n.kind, channel, n.attempts)


async def sent(notification_id: int, channel: str, now: datetime) -> None:
    """Record a successful send."""
    await Notification.filter(id=notification_id).update(status="sent", channel=channel, sent_at=now, error="")


async def failed(notification_id: int, attempt: int, error: str, now: datetime) -> bool:
    """Put a failed send back for a later try; after MAX_ATTEMPTS give up. True when given up."""
    if attempt >= MAX_ATTEMPTS:
        await Notification.filter(id=notification_id).update(status="failed", error=error[:128])
        return True
    await Notification.filter(id=notification_id).update(status="pending", error=error[:128],
                                                         not_before=now + BACKOFF * 2 ** (attempt - 1))
    return False


async def hold(notification_id: int, until: datetime) -> None:
    """Quiet hours: give a claimed notification back, due again at `until` (not counted as an attempt)."""
    await Notification.filter(id=notification_id).update(status="pending", not_before=until,
                                                         attempts=F("attempts") - 1)
