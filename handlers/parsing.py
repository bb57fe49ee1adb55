"""Activity fields from chat text: one value per form step, corrections, and the one-line quick form."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from knowledge.wording.dates import find_date, parse_date
from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import NUMERAL, Count, check_count, parse_count_reading
from knowledge.wording.reading import read_counts
from models.outreach import KIND_LABELS, SIX_TARGETS, ActivityKind
from services.activities import FIELD_ALIASES, ActivityError, find_village, normalize_form, normalize_six_target

NONE_WORDS = {"无", "没有", "不填", "跳过", "-", "—"}
TOWN_WIDE = {"全镇", "镇里", "镇上", "本镇", "无"}
KINDS = list(ActivityKind)


def kind_menu() -> str:
    """The numbered list of kinds."""
    return "\n".join(f"{i}. {k.label}" for i, k in enumerate(KINDS, 1))


def numbered(options: Sequence[str]) -> str:
    """A numbered list on one line each."""
    return "\n".join(f"{i}. {o}" for i, o in enumerate(options, 1))


def _pick(text: str, options: Sequence[str]) -> str | None:
    t = text.strip().rstrip("。.")
    if t.isdecimal() and len(t) <= 3 and 1 <= int(t) <= len(options):
        return options[int(t) - 1]
    return None


def parse_kind(text: str) -> ActivityKind:
    """A kind by number, label or short word."""
    picked = _pick(text, [k.value for k in KINDS])
    kind = ActivityKind(picked) if picked else ActivityKind.from_label(text)
    if kind is None:
        raise ActivityError(f"请回复类别的序号或名称：\n{kind_menu()}")
    return kind


async def parse_field(field: str, text: str, *, town_id: int, forms: Sequence[str],
                      kind: str | None = None, home_village: tuple[int, str] | None = None) -> dict[str, Any]:
    """Form data (JSON-able) for one field typed by the user; ActivityError/ParseError say what is wrong."""
    t = text.strip()
    if field == "kind":
        return {"kind": parse_kind(t).value}
    if field == "date":
        return {"date": _date_in_words(t).isoformat()}
    if field == "village_id":
        if t in {"本村", "我村", "同上"} and home_village:
            return {"village_id": home_village[0], "village_name": home_village[1], "village_note": ""}
        if t in TOWN_WIDE and kind != ActivityKind.PUBLICITY.value:
            return {"village_id": None, "village_name": "", "village_note": ""}
        if t in TOWN_WIDE:
            raise ActivityError("普法宣传活动需要写明在哪个村开展，请回复村名。")
        v = await find_village(town_id, t)
        return {"village_id": v.id, "village_name": v.name, "village_note": ""}
    if field == "form":
        return {"form": normalize_form(_pick(t, forms) or t, forms)}
    if field == "six_target":
        return {"six_target": normalize_six_target(_pick(t, SIX_TARGETS) or t)}
    if field in {"theme", "place", "audience"}:
        value = "" if t in NONE_WORDS else t
        if len(value) > {"theme": 200, "place": 100, "audience": 32}[field]:
            raise ActivityError("内容太长了，请简短一些。")
        return {field: value}
    if field in {"participants", "materials", "consultations"}:
        count = _count_in_words(t, field)
        return {field: count.value, f"approx_{field}": count.approx}
    raise ActivityError("没有这一项。")  # pragma: no cover


def _date_in_words(text: str) -> date:
    """A date answer: '昨天' or '5月12日', or a sentence with one in it ('是上周三下午')."""
    try:
        return parse_date(text)
    except ParseError:
        mention = find_date(text)
        if mention is None:
            raise
        if mention.value is None:
            raise ParseError(mention.problem) from None
        return mention.value


def _count_in_words(text: str, field: str) -> Count:
    """A count answer: '45' or '四十多', or a sentence with it ('来了四十多个人', '发了两百份')."""
    try:
        return parse_count_reading(text, field)
    except ParseError:
        found = read_counts(text)
        count = found.get(field) or (next(iter(found.values())) if len(found) == 1 else None)
        if count is None:
            raise
        check_count(count.value, field)
        return count


def split_correction(args: str) -> tuple[str, str]:
    """'人数 45' -> ('participants', '45'); '人数45' works too. ActivityError when the field is unknown."""
    t = args.strip()
    for alias in sorted(FIELD_ALIASES, key=len, reverse=True):
        if t.startswith(alias):
            value = t[len(alias):].strip().lstrip("为是:：").strip()
            if not value:
                break
            return FIELD_ALIASES[alias], value
    names = "、".join(["类别", "日期", "村", "形式", "六进", "主题", "地点", "受众", "人数", "资料", "咨询"])
    raise ActivityError(f"请这样写：“修改 人数 45”。可以修改的项目：{names}。")


_NUM = rf"((?:约|大约|大概|近)?{NUMERAL}(?:多|余|来|几)?(?:左右)?)"
_PEOPLE = re.compile(rf"^(?:参与|参加)?{_NUM}人$")
_MATERIALS = re.compile(rf"^(?:发放)?资料{_NUM}份?$")
_CONSULT = re.compile(rf"^咨询{_NUM}(?:人次|人|次)?$")


def _count_token(tok: str) -> dict[str, Any]:
    """'45人' / '三百五人' / '资料一百来份' / '咨询6人次' -> the count's form data; {} for other tokens."""
    for field, pattern in (("participants", _PEOPLE), ("materials", _MATERIALS), ("consultations", _CONSULT)):
        if m := pattern.match(tok):
            count = parse_count_reading(m.group(1), field)
            return {field: count.value, f"approx_{field}": count.approx}
    return {}


async def parse_quick(args: str, *, town_id: int, forms: Sequence[str]) -> dict[str, Any]:
    """'5月12日 江湾村 法治公开课 45人 资料120份 主题民法典' -> form data; ActivityError/ParseError otherwise."""
    data: dict[str, Any] = {"kind": ActivityKind.PUBLICITY.value, "six_target": "", "theme": "", "form": "",
                            "participants": 0, "materials": 0, "consultations": 0}
    tokens = args.split()
    village_word = None
    for i, tok in enumerate(tokens):
        if tok.startswith("主题"):
            data["theme"] = " ".join([tok.removeprefix("主题").lstrip(":："), *tokens[i + 1:]]).strip()
            break
        kind = ActivityKind.from_label(tok) if tok != "活动" else None
        if tok.startswith("受众") and len(tok) > 2:  # 受众村民 / 受众：中小学生
            data.update(await parse_field("audience", tok[2:].lstrip(":："), town_id=town_id, forms=forms))
        elif counted := _count_token(tok):
            data.update(counted)
        elif kind is not None:
            data["kind"] = kind.value
        elif tok in forms:
            data["form"] = tok
        elif tok.removeprefix("法律").startswith("进"):
            data["six_target"] = normalize_six_target(tok)
        elif "date" not in data and _looks_like_date(tok):
            data["date"] = parse_date(tok).isoformat()
        elif village_word is None:
            village_word = tok
        else:
            raise ActivityError(f"没看懂“{tok[:16]}”。{QUICK_EXAMPLE}")
    if "date" not in data:
        raise ActivityError(f"请写上日期。{QUICK_EXAMPLE}")
    if village_word is None:
        if data["kind"] == ActivityKind.PUBLICITY.value:
            raise ActivityError(f"请写上村名。{QUICK_EXAMPLE}")
        data.update(village_id=None, village_name="")
    else:
        data.update(await parse_field("village_id", village_word, town_id=town_id, forms=forms, kind=data["kind"]))
    return data


QUICK_EXAMPLE = "格式示例：活动 5月12日 江湾村 法治公开课 45人 资料120份 主题民法典"


_DATE_START = re.compile(r"^(今天|昨天|前天|大前天|明天|后天|今日|昨日|上+个?(周|星期|礼拜|月)|这?周[一二三四五六日天]|"
                         r"星期|礼拜|[一二三四五六七八九十]+[月日号]|\d)")


def _looks_like_date(tok: str) -> bool:
    return (bool(_DATE_START.match(tok)) and not tok.isdigit()) or (tok.isdigit() and len(tok) == 8)


def _count_line(data: dict[str, Any], field: str, label: str, unit: str) -> str:
    if field not in data:
        return f"{label}：（待填）"
    rough = "约" if data.get(f"approx_{field}") else ""
    return f"{label}：{rough}{data[field]}{unit}"


def _village_line(data: dict[str, Any]) -> str:
    if "village_id" not in data:
        return "村：（待填）"
    name = data.get("village_name") or "全镇"
    note = data.get("village_note") or ""
    if note == "default":
        return f"村：{name}（没写村名，按您所在的村）"
    if note and note != "own":
        return f"村：{name}（您写的是“{note}”）"
    return f"村：{name}"


def summary(data: dict[str, Any]) -> str:
    """The entry as read or typed, to confirm; fields still to fill say so, rough counts carry 约."""
    d = date.fromisoformat(data["date"]) if data.get("date") else None
    lines = [
        f"类别：{KIND_LABELS[ActivityKind(data['kind'])]}",
        f"日期：{d:%Y年%-m月%-d日}" if d else "日期：（待填）",
        _village_line(data),
        f"活动形式：{data.get('form') or '无'}" if "form" in data else "活动形式：（待填）",
        f"六进：{'进' + data['six_target'] if data.get('six_target') else '无'}",
        f"主题：{data.get('theme') or '无'}" if "theme" in data else "主题：（待填）",
        *([f"地点：{data['place']}"] if data.get("place") else []),
        *([f"受众：{data['audience']}"] if data.get("audience") else []),
        _count_line(data, "participants", "参与人数", "人"),
        _count_line(data, "materials", "发放资料", "份"),
        _count_line(data, "consultations", "咨询", "人次"),
    ]
    if data.get("photos"):
        lines.append(f"照片：{len(data['photos'])}张")
    return "\n".join(lines)


__all__ = ["ParseError", "kind_menu", "numbered", "parse_field", "parse_kind", "parse_quick", "split_correction",
           "summary"]
