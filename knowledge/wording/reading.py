"""A report of outreach work in a helper's own words, read into the fields of a ledger entry.

`read_report` is pure: the town's village names, the helper's village and the configured forms come in
as arguments, so the chat, the evaluation and tests read the same way without a database.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin

from knowledge.wording.dates import find_date
from knowledge.wording.numbers import NUMERAL, Count, normalize, read_count
from knowledge.wording.vocabulary import (
    FORM_WORDS,
    OWN_VILLAGE_WORDS,
    SIX_WORDS,
    TALK_FORM,
    TALK_WORDS,
    THEME_WORDS,
)

PUBLICITY, TRAINING, MEETING = "publicity", "training", "meeting"
COUNT_FIELDS = ("participants", "materials", "consultations")
ALL_FORMS = tuple(FORM_WORDS)


@dataclass
class Reading:
    """What a message says about an activity; None/"" where it says nothing."""

    is_report: bool = False
    is_plan: bool = False  # reads like a report, but of a day still to come
    kind: str = PUBLICITY
    date: dt.date | None = None
    date_problem: str = ""  # why a date that was written cannot be used (future, invalid)
    village: str = ""
    village_note: str = ""  # "" named exactly | "own" (村里, 本村) | "default" (not named) | the typed name (fuzzy)
    form: str = ""
    six_target: str = ""
    theme: str = ""
    counts: dict[str, Count] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        """The fields as the evaluation compares them (counts as ints; missing participants None)."""
        return {
            "kind": self.kind,
            "date": self.date.isoformat() if self.date else None,
            "village": self.village,
            "form": self.form,
            "six_target": self.six_target,
            "theme": self.theme,
            "participants": self.counts["participants"].value if "participants" in self.counts else None,
            "materials": self.counts["materials"].value if "materials" in self.counts else 0,
            "consultations": self.counts["consultations"].value if "consultations" in self.counts else 0,
            "approx": sorted(f for f, c in self.counts.items() if c.approx),
        }


def read_report(text: str, *, villages: Sequence[str], home_village: str | None, forms: Sequence[str],
                today: dt.date, form_words: Mapping[str, Sequence[str]] | None = None) -> Reading:
    """Read one message; `is_report` says whether it reports work done at all.

    `form_words` adds a town's own everyday names of its forms to the built-in ones.
    """
    t = _clean(text)
    r = Reading()
    r.kind = _kind(t)
    mention = find_date(t, now=today)
    rest = t
    if mention is not None:
        r.date, r.date_problem = mention.value, mention.problem
        rest = t[:mention.start] + " " * (mention.end - mention.start) + t[mention.end:]
    r.counts = read_counts(rest)
    r.form = "" if r.kind != PUBLICITY else find_form(t, forms, extra=form_words)
    r.six_target = "" if r.kind != PUBLICITY else _first_of(t.replace("小板凳", "···"), SIX_WORDS)
    r.theme = find_themes(t)
    r.village, r.village_note = find_village(t, villages, home_village if r.kind == PUBLICITY else None)
    # Work planned for a day still to come is an announcement, not a report.
    reads = _looks_like_report(t, r, mention is not None, form_words or {})
    r.is_plan = bool(mention and mention.future) and reads
    r.is_report = reads and not r.is_plan
    return r


MAX_CHARS = 1000  # a report is a few sentences; the rest of a longer message is not read


def _clean(text: str) -> str:
    t = normalize(text[:MAX_CHARS]).strip()
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    return re.sub(r"^(嗯+|啊+|那个|就是)[，, ]*", "", t)


# --- kind -------------------------------------------------------------------------------------------

_MEETING = re.compile(r"专题会议|法治建设.{0,6}会|(?:参加|召开|开了).{0,10}法治.{0,6}会议")
_TRAINING = re.compile(r"培训班|培训会|参训|学习班|(?:参加|去|到|听|接受).{0,16}培训")
_GIVING_TRAINING = re.compile(r"给.{0,12}培训|组织.{0,10}(?:村民|群众|学生|工人).{0,6}培训")


def _kind(t: str) -> str:
    if _MEETING.search(t):
        return MEETING
    if _TRAINING.search(t) and not _GIVING_TRAINING.search(t):
        return TRAINING
    return PUBLICITY


# --- counts -----------------------------------------------------------------------------------------

_COUNT = re.compile(
    rf"(?P<pre>(?:大约|大概|差不多|估计|约)有?|将近|接近|一共|总共|共计|合计|约|近|共|上)?\s*(?P<num>{NUMERAL})"
    r"(?P<suf>多|余|来|几)?\s*(?P<unit>人次|个人|多个|号人|个|人|名|位|户|份|张|本|册|套|次)?(?P<tail>左右|上下)?"
)
_MATERIAL_UNITS = {"份", "张", "本", "册", "套"}
_PERSON_UNITS = {"人", "个人", "号人", "名", "位", "个", "多个"}
_NOT_PEOPLE_AFTER = re.compile(r"^(?:小时|钟头|月|年级|村|组|星期|礼拜|多小时|方面|片|地方|点)")
_SKIP_BEFORE = ("第", "初", "周", "星期", "礼拜", "万", "几")
# A rough-mark that is really the end of a word: 村规民约 16人, 附近30户, 晚上一百人 (上 is rough only in 上百/上千).
_NOT_ROUGH = {"约": "民合节预签相契公条邀制束", "近": "附最邻亲就靠远"}
_CLAUSE = re.compile(r"[，,。；;！!？?、\s]")
_ASKING = re.compile(r"咨询|问了|问题|提问|答疑|解答|来问|询问|问法")
_MATERIAL_CUES = ("资料", "发了", "发放", "发", "传单", "宣传单", "手册")
_PEOPLE_CUES = ("来了", "参加", "到场", "参会", "听课", "观看", "人有", "有", "来")


def _clause_before(t: str, i: int, width: int = 8) -> str:
    chunk = t[max(0, i - width):i]
    return _CLAUSE.split(chunk)[-1]


def _clause_after(t: str, i: int, width: int = 6) -> str:
    return _CLAUSE.split(t[i:i + width])[0]


def read_counts(t: str) -> dict[str, Count]:
    """People, materials and consultations mentioned in text (dates already blanked out)."""
    found: dict[str, Count] = {}
    households: Count | None = None
    for m in _COUNT.finditer(t):
        num, unit = m.group("num"), m.group("unit") or ""
        before, after = _clause_before(t, m.start()), _clause_after(t, m.end())
        if not re.search(r"[\d一二两三四五六七八九十百千万]", num) or before.endswith(_SKIP_BEFORE) \
                or re.search(r"(?:每|平均).?$", before):  # 每户2人: a rate, not a count
            continue
        pre = m.group("pre") or ""
        ahead = t[m.start() - 1:m.start()] if m.start() else ""
        if (pre in _NOT_ROUGH and ahead and ahead in _NOT_ROUGH[pre]) or (pre == "上" and num[0] not in "百千万"):
            pre = ""
        count = read_count("".join((pre, num, m.group("suf") or "", m.group("tail") or "")))
        if count is None:
            continue
        rough = pre not in ("", "一共", "总共", "共计", "合计", "共")
        what = _classify(num, unit, before, after, t[m.end():], rough=rough)
        if what == "households":
            households = households or count
        elif what and what not in found:
            found[what] = count
    if "participants" not in found and households is not None:
        found["participants"] = households
    return found


def _classify(num: str, unit: str, before: str, after: str, following: str, *, rough: bool = False) -> str:
    if unit in _MATERIAL_UNITS:
        return "materials"
    if unit == "人次":
        return "participants" if re.search(r"参加|参与|听课", before) else "consultations"
    if unit == "次":
        return "consultations" if "咨询" in before else ""
    if unit == "户":
        return "households"
    if unit in _PERSON_UNITS:
        if num in ("一", "两", "幺") and unit in ("个", "多个"):
            return ""  # 一个年级, 两个小时: a word, not a count
        if unit in ("个", "多个") and _NOT_PEOPLE_AFTER.match(following):
            return ""
        if _ASKING.search(before) or _ASKING.search(after):
            return "consultations"
        return "participants"
    # No unit: the words around say what it counts.
    if len(num) == 1 and num in "一两":
        return ""
    if before.endswith(_MATERIAL_CUES) or re.search(r"资料[:：]?$", before):
        return "materials"
    if re.search(r"咨询[:：]?$", before):
        return "consultations"
    if before.endswith(_PEOPLE_CUES) or re.search(r"人数[:：]?$", before) or rough:
        return "participants"  # 来了一百五左右, 估计有两百五: a rough figure on its own is the people who came
    return ""


# --- forms, themes, places ----------------------------------------------------------------------------

def find_form(t: str, forms: Sequence[str], *, talk: bool = True,
              extra: Mapping[str, Sequence[str]] | None = None) -> str:
    """The configured form the text names, by its name or an everyday word (earliest wins); else, with
    `talk`, a lecture when someone 讲 (talked) about something."""
    best: tuple[int, str] | None = None
    for form in forms:
        for word in (form, *(extra or {}).get(form, ()), *FORM_WORDS.get(form, ())):
            i = t.find(word)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, form)
    if best is not None:
        return best[1]
    if talk and TALK_FORM in forms and any(w in t for w in TALK_WORDS):
        return TALK_FORM
    return ""


@lru_cache(maxsize=1)
def _theme_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    canonical = {w: name for name, words in THEME_WORDS.items() for w in words}
    words = sorted(canonical, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), canonical


def find_themes(t: str) -> str:
    """The themes named, canonical, in order of mention, joined by '、'."""
    pattern, canonical = _theme_pattern()
    names = list(dict.fromkeys(canonical[m.group(0)] for m in pattern.finditer(t)))
    if names:
        return "、".join(names)
    m = re.search(r"主题(?:是|为)?[:：\s]*([^，,。；;\s]{2,20})", t)
    return m.group(1) if m else ""


def _first_of(t: str, table: dict[str, tuple[str, ...]]) -> str:
    best: tuple[int, str] | None = None
    for name, words in table.items():
        for word in words:
            i = t.find(word)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, name)
    return best[1] if best else ""


# --- villages ---------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(c)[0] if "\u4e00" <= c <= "\u9fff" else c for c in text)


def find_village(t: str, villages: Sequence[str], home: str | None) -> tuple[str, str]:
    """(village name, note): named exactly, by a slip (same sound or one character off), or the helper's own."""
    hits: list[tuple[int, int, str, str]] = []  # position, rank, name, note
    for name in villages:
        stem = name.removesuffix("村")
        i = t.find(name)
        if i >= 0:
            hits.append((i, 0, name, ""))
        elif len(stem) >= 2:
            for m in re.finditer(re.escape(stem), t):
                if not t[m.end():m.end() + 1] == "镇":
                    hits.append((m.start(), 1, name, ""))
                    break
    if not hits:
        hits = _fuzzy_villages(t, villages)
    if hits:
        _, _, name, note = min(hits)
        return name, note
    if home is None:
        return "", ""
    return home, "own" if any(w in t for w in OWN_VILLAGE_WORDS) else "default"


def _fuzzy_villages(t: str, villages: Sequence[str]) -> list[tuple[int, int, str, str]]:
    """Typed names ending in 村 that sound like a village (新堂村 → 新塘村) or differ by one character."""
    hits: list[tuple[int, int, str, str]] = []
    stems = {v.removesuffix("村"): v for v in villages if len(v.removesuffix("村")) >= 2}
    for m in re.finditer("村", t):
        for stem, name in stems.items():
            start = m.start() - len(stem)
            if start < 0:
                continue
            typed = t[start:m.start()]
            if typed in OWN_VILLAGE_WORDS or not all("\u4e00" <= c <= "\u9fff" for c in typed):
                continue
            same_sound = _syllables(typed) == _syllables(stem)
            one_off = sum(a != b for a, b in zip(typed, stem, strict=True)) == 1 and len(stem) >= 2 \
                and difflib.SequenceMatcher(None, typed, stem).ratio() >= 0.5 and typed[-1] == stem[-1]
            if same_sound or one_off:
                hits.append((start, 2 if same_sound else 3, name, typed + "村"))
    return hits


# --- is it a report? ----------------------------------------------------------------------------------

_ACTIVITY = re.compile(r"普法|宣传|发放|资料|传单|开展|组织|搞了|活动|走访|举办|办了")
_QUESTION = re.compile(
    r"[？?]|吗[。！!啊呀]?$|呢[？?]?$|怎么办|怎么处理|咋办|咋分|咋弄|咋整|多少钱|是多少|赔多少|什么时候|为什么|"
    r"能不能|可不可以|行不行|合法吗|怎么弄|怎么登记|请问|谁知道|在哪|怎么回事|什么情况"
)


_ASKING_ENDING = re.compile(r"[？?]|吗[。！!啊呀]?$")
_THANKS = re.compile(r"^(?:谢谢|感谢|多谢|辛苦)")


def _looks_like_report(t: str, r: Reading, dated: bool, form_words: Mapping[str, Sequence[str]]) -> bool:
    # A full report (a form by name, a date and a figure) may quote a question as its topic (讲了欠薪怎么办).
    forms = (*ALL_FORMS, *form_words)
    full = bool(find_form(t, forms, talk=False, extra=form_words)) and dated and bool(r.counts)
    if _ASKING_ENDING.search(t) or ((_QUESTION.search(t) or _THANKS.search(t)) and not full):
        return False
    # Whether it reports work does not depend on which forms a town configured.
    evidence = r.kind != PUBLICITY or bool(find_form(t, forms, extra=form_words)) or bool(_ACTIVITY.search(t))
    return evidence and (dated or bool(r.counts))
