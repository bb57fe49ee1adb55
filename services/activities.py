"""Writing the ledger: create, correct and withdraw activities with an audit trail; find villages."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Iterable
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from knowledge.wording.dates import check_date
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import check_count
from models.core import Role, User, Village
from models.outreach import SIX_TARGETS, Activity, ActivityChange, ActivityKind, ActivityPhoto, ActivitySource
from services.hygiene import clean_text

# Fields a correction may change, with their Chinese names (chat: 修改 人数 45).
FIELD_LABELS = {
    "kind": "类别",
    "date": "日期",
    "village_id": "村",
    "form": "活动形式",
    "six_target": "六进",
    "theme": "主题",
    "place": "地点",
    "audience": "受众",
    "participants": "参与人数",
    "materials": "发放资料份数",
    "consultations": "咨询人次",
}
FIELD_ALIASES = {
    "类别": "kind", "类型": "kind", "日期": "date", "时间": "date", "村": "village_id", "村名": "village_id",
    "村庄": "village_id", "形式": "form", "活动形式": "form", "六进": "six_target", "主题": "theme",
    "内容": "theme", "法律": "theme", "地点": "place", "受众": "audience", "对象": "audience",
    "人数": "participants", "参与人数": "participants",
    "参加人数": "participants", "资料": "materials", "资料份数": "materials", "发放资料": "materials",
    "咨询": "consultations", "咨询人次": "consultations", "咨询人数": "consultations",
}
COUNT_FIELDS = ("participants", "materials", "consultations")
MAX_PHOTOS = 9  # photos of one entry, whichever way they come (chat, mini-program)
PHOTO_AFTER_SAVE_MINUTES = 30  # a photo sent this soon after saving goes with the entry just saved
STAFF_ROLES = {Role.ADMIN, Role.COUNTY_ADMIN}
# The town's own figures (法治建设专题会议, 镇村干部普法专题培训): logged by town staff only, never by a helper.
TOWN_KINDS = (ActivityKind.MEETING, ActivityKind.TRAINING)
TOWN_KIND_WHO = "镇里的工作人员（司法所或镇管理员）"


class ActivityError(Exception):
    """A refused write; the message is polite Chinese, `code` is for the JSON API."""

    def __init__(self, message: str, code: str = "invalid", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


# Every figure of an entry: two entries that differ in any of these are two records.
IDENTITY_FIELDS = ("date", "kind", "village_id", "form", "six_target", "theme", "place", "participants", "materials",
                   "consultations", "organiser")
# Figures added later: part of the identity only when given, so entries saved before keep their fingerprint.
LATER_IDENTITY_FIELDS = ("audience",)


def fingerprint(town_id: int, values: dict[str, Any]) -> str:
    """The identity of an entry: a hash of its town and every figure, so a retry or re-import is recognised."""
    parts = [str(town_id)]
    for f in IDENTITY_FIELDS:
        value = values.get(f, 0 if f in COUNT_FIELDS else None)  # as stored: counts default to 0
        if value is None:
            parts.append("")
        elif isinstance(value, str):  # the kind too: a StrEnum member splits into its plain value
            parts.append(" ".join(value.split()))
        else:
            parts.append(str(value))
    for f in LATER_IDENTITY_FIELDS:
        if text := " ".join(str(values.get(f) or "").split()):
            parts.append(f"{f}={text}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def idempotency_hash(town_id: int, author_id: int | None, key: str) -> str | None:
    """The stored form of a client's Idempotency-Key (scoped to its author); None without a key."""
    key = key.strip()
    if not key:
        return None
    return hashlib.sha256(f"{town_id}\x1f{author_id or 0}\x1f{key}".encode()).hexdigest()


def town_kind_refusal(kind: Any, role: Role | str | None) -> ActivityError | None:
    """Why someone of this role may not log this kind, or None: town-level kinds are for town staff only.

    The message is for the helper who tried: who logs it instead, and where their own part goes.
    """
    if kind is None or ActivityKind(kind) not in TOWN_KINDS or (role is not None and Role(role) in STAFF_ROLES):
        return None
    if ActivityKind(kind) == ActivityKind.TRAINING:
        text = (f"镇村干部普法专题培训是镇里的工作，由{TOWN_KIND_WHO}登记，法律明白人不能登记。"
                "您自己参加的培训请发送“参加培训 日期 主题 学时”，记入本人的培训记录和积分。")
    else:
        text = (f"法治建设专题会议是镇里的工作，由{TOWN_KIND_WHO}登记，法律明白人不能登记。"
                "您在村里开展的普法活动，请登记为普法宣传活动。")
    return ActivityError(text, code="town_kind", field="kind")


class DuplicateActivity(ActivityError):
    """The entry is already in the ledger: `existing` is that record."""

    def __init__(self, existing: Activity, *, same_submission: bool = False) -> None:
        super().__init__(f"这条活动已经登记过（编号{existing.id}），没有重复保存。", code="duplicate")
        self.existing = existing
        self.same_submission = same_submission


def normalize_six_target(text: str) -> str:
    """'法律进乡村' / '进乡村' / '乡村' -> '乡村'; '' stays ''; unknown raises ActivityError."""
    t = text.strip().removeprefix("法律").removeprefix("进")
    if t in {"", "无", "不填", "-", "—"}:
        return ""
    if t not in SIX_TARGETS:
        raise ActivityError(f"六进对象“{text.strip()[:10]}”不对，请从{'、'.join(SIX_TARGETS)}中选，没有就回复“无”。",
                            field="six_target")
    return t


def normalize_form(text: str, forms: Iterable[str]) -> str:
    """An activity form from the configured list ('' allowed); unknown raises ActivityError."""
    t = text.strip()
    options = list(forms)
    if t in {"", "无", "不填"}:
        return ""
    if t in options:
        return t
    close = difflib.get_close_matches(t, options, n=3, cutoff=0.4)
    hint = f"您是不是要写：{'、'.join(close)}？" if close else ""
    raise ActivityError(f"活动形式“{t[:16]}”不在列表里。{hint}可选：{'、'.join(options)}。", field="form")


async def village_choices(town_id: int) -> list[Village]:
    """The town's villages by name."""
    return await Village.filter(town_id=town_id).order_by("name")


def suggest_names(name: str, names: list[str], n: int = 3) -> list[str]:
    """The closest village names: containment first, then similar spelling."""
    t = name.strip()
    contained = [v for v in names if t and (t in v or v.removesuffix("村") == t.removesuffix("村"))]
    similar = difflib.get_close_matches(t, names, n=n, cutoff=0.3)
    out: list[str] = []
    for v in contained + similar:
        if v not in out:
            out.append(v)
    return out[:n]


async def find_village(town_id: int, name: str) -> Village:
    """The village of a town by name ('江湾' finds '江湾村'); ActivityError suggests close names."""
    t = name.strip()
    villages = await village_choices(town_id)
    by_name = {v.name: v for v in villages}
    if t in by_name:
        return by_name[t]
    if t + "村" in by_name:
        return by_name[t + "村"]
    close = suggest_names(t, list(by_name))
    hint = f"您是不是要写：{'、'.join(close)}？" if close else "请先让管理员导入村名单。" if not by_name else ""
    raise ActivityError(f"本镇没有叫“{t[:16]}”的村。{hint}", code="unknown_village", field="village")


def check_values(values: dict[str, Any], *, now: dt.date | None = None) -> dict[str, Any]:
    """Check dates and counts of already-typed values; ActivityError names the first problem."""
    out: dict[str, Any] = {k: clean_text(v) if isinstance(v, str) else v for k, v in values.items()}
    try:
        if "date" in out:
            out["date"] = check_date(out["date"], now=now)
        for f in COUNT_FIELDS:
            if f in out:
                out[f] = check_count(int(out[f]), f)
    except ParseError as exc:
        raise ActivityError(str(exc)) from None
    if "kind" in out:
        out["kind"] = ActivityKind(out["kind"])
    if out.get("kind") == ActivityKind.PUBLICITY and "village_id" in out and not out["village_id"]:
        raise ActivityError("普法宣传活动需要写明在哪个村开展。", field="village")
    for f, limit in (("theme", 200), ("place", 100), ("audience", 32), ("organiser", 64)):
        if len(str(out.get(f, ""))) > limit:
            raise ActivityError(f"{FIELD_LABELS.get(f, '组织人')}太长了，请控制在{limit}字以内。", field=f)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, ActivityKind) else value


async def find_existing(town_id: int, key: str | None, idem: str | None = None) -> Activity | None:
    """The entry with this client key or this fingerprint, if any (the key first: it names one submission)."""
    if idem:
        hit = await Activity.get_or_none(town_id=town_id, idempotency_key=idem)
        if hit is not None:
            return hit
    if key:
        return await Activity.get_or_none(town_id=town_id, fingerprint=key)
    return None


async def create_activity(
    town_id: int,
    author: User | None,
    values: dict[str, Any],
    *,
    source: ActivitySource = ActivitySource.CHAT,
    photos: Iterable[dict[str, Any]] = (),
    idempotency_key: str = "",
) -> Activity:
    """Save a checked entry, its photos and the 'create' audit record in one transaction.

    Every door (chat, API, console, import) saves through here or through the import's batch insert; the
    database's unique constraints on the fingerprint and the client key decide, even under concurrency,
    and a second save of the same entry raises DuplicateActivity naming the existing record. Town-level kinds
    (TOWN_KINDS) are refused to an author who is not town staff; `author` None is the office itself.
    """
    v = check_values(values)
    if author is not None and (refusal := town_kind_refusal(v.get("kind"), author.role)):
        raise refusal
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ActivityError(f"每条记录最多{MAX_PHOTOS}张照片。", code="too_many_photos")
    v.setdefault("organiser", author.display_name if author else "")
    key = fingerprint(town_id, v)
    idem = idempotency_hash(town_id, author.id if author else None, idempotency_key)
    existing = await find_existing(town_id, key, idem)
    if existing is None:
        try:
            async with in_transaction():
                activity = await Activity.create(
                    town_id=town_id, author=author, source=source, fingerprint=key, idempotency_key=idem,
                    **{k: v[k] for k in (*FIELD_LABELS, "organiser") if k in v},
                )
                for p in photos:
                    await ActivityPhoto.create(activity=activity, **p)
                await ActivityChange.create(
                    activity=activity, user=author,
                    action="import" if source == ActivitySource.IMPORT else "create",
                    changes={k: [None, _jsonable(v[k])] for k in (*FIELD_LABELS, "organiser") if k in v},
                )
            return activity
        except IntegrityError:  # a concurrent save of the same entry won the race
            existing = await find_existing(town_id, key, idem)
            if existing is None:
                raise
    raise DuplicateActivity(existing, same_submission=bool(idem) and existing.idempotency_key == idem)


def edit_refusal(activity: Activity, user_id: int | None, role: Role, town_id: int | None,
                 window_days: int, *, now: dt.datetime | None = None) -> ActivityError | None:
    """Why this user may not change this entry, or None: authors within the window, admins any time."""
    if role in STAFF_ROLES and (role == Role.COUNTY_ADMIN or activity.town_id == town_id):  # type: ignore[attr-defined]
        return None
    if user_id is None or activity.author_id != user_id:  # type: ignore[attr-defined]
        return ActivityError("这条记录不是您登记的，不能修改。", code="forbidden")
    moment = now or dt.datetime.now(dt.UTC)
    if moment - activity.created_at > dt.timedelta(days=window_days):
        return ActivityError(f"登记超过{window_days}天的记录不能再修改，请联系管理员。", code="edit_window_closed")
    return None


async def update_activity(activity: Activity, user: User | None, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply a correction and audit it; returns field -> [old, new] of what really changed."""
    if activity.withdrawn:
        raise ActivityError("这条记录已撤回，不能再修改。", code="withdrawn")
    merged = check_values({"kind": activity.kind, "village_id": activity.village_id, **changes})  # type: ignore[attr-defined]
    if user is not None and (refusal := town_kind_refusal(merged["kind"], user.role)):
        raise refusal
    diff: dict[str, list[Any]] = {}
    for k in changes:
        old, new = getattr(activity, k), merged[k]
        if old != new:
            diff[k] = [_jsonable(old), _jsonable(new)]
            setattr(activity, k, new)
    if not diff:
        return diff
    key = fingerprint(activity.town_id, {k: getattr(activity, k) for k in (*IDENTITY_FIELDS, *LATER_IDENTITY_FIELDS)})  # type: ignore[attr-defined]
    twin = await Activity.filter(town_id=activity.town_id, fingerprint=key).exclude(id=activity.id).first()  # type: ignore[attr-defined]
    if twin is not None:
        raise ActivityError(f"改后与编号{twin.id}的记录完全相同，没有修改。如是同一次活动，请撤回其中一条。",
                            code="duplicate")
    activity.fingerprint = key
    try:
        async with in_transaction():
            await activity.save()
            await ActivityChange.create(activity=activity, user=user, action="update", changes=diff)
    except IntegrityError:
        raise ActivityError("改后与另一条记录完全相同，没有修改。", code="duplicate") from None
    return diff


async def withdraw_activity(activity: Activity, user: User | None, reason: str = "") -> None:
    """Withdraw an entry (kept, but no longer counted) and audit it."""
    if activity.withdrawn:
        raise ActivityError("这条记录已经撤回了。", code="withdrawn")
    activity.withdrawn = True
    activity.fingerprint = None  # a withdrawn entry no longer stands in the way of logging it again
    async with in_transaction():
        await activity.save(update_fields=["withdrawn", "fingerprint", "updated_at"])
        await ActivityChange.create(activity=activity, user=user, action="withdraw",
                                    changes={"withdrawn": [False, True], "reason": reason[:200]})


async def check_photo_room(activity: Activity) -> None:
    """ActivityError unless the entry takes another photo: not withdrawn, fewer than MAX_PHOTOS."""
    if activity.withdrawn:
        raise ActivityError("这条记录已撤回，不能再添加照片。", code="withdrawn")
    if await ActivityPhoto.filter(activity=activity).count() >= MAX_PHOTOS:
        raise ActivityError(f"每条记录最多{MAX_PHOTOS}张照片。", code="too_many_photos")


async def just_saved(author_id: int, *, now: dt.datetime | None = None) -> Activity | None:
    """The author's entry saved within PHOTO_AFTER_SAVE_MINUTES (not withdrawn), for a photo sent last."""
    since = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=PHOTO_AFTER_SAVE_MINUTES)
    return await Activity.filter(author_id=author_id, withdrawn=False, created_at__gte=since).order_by("-id").first()


async def add_photo(activity: Activity, user: User | None, **photo: Any) -> ActivityPhoto:
    """Attach a photo to an entry and audit it (ActivityError past MAX_PHOTOS or on a withdrawn entry)."""
    await check_photo_room(activity)
    async with in_transaction():
        p = await ActivityPhoto.create(activity=activity, **photo)
        await ActivityChange.create(activity=activity, user=user, action="photo", changes={"photo_id": [None, p.id]})
    return p


async def recent_for(author_id: int, limit: int = 10) -> list[Activity]:
    """An author's latest entries, newest first."""
    return await Activity.filter(author_id=author_id).order_by("-date", "-id").limit(limit).prefetch_related("village")
