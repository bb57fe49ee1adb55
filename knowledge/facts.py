"""Facts a question gives that decide which rule applies: how long ago, before or after marriage.

The rules are data (knowledge/data/facts.toml); this module reads the time a question states
("半年前", "五年前", "去年", "三个月了") and applies deadlines, swaps and distinguishing questions.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.cite import CITATION_RE
from knowledge.faq import Entry
from knowledge.lexicon import DATA_DIR
from knowledge.numerals import parse_int

FACTS_PATH = DATA_DIR / "facts.toml"
_NUM = r"(?P<n>\d+|[一二两三四五六七八九十几]+|半)"
_SPAN = rf"{_NUM}\s*(?P<unit>个多月|个半月|个月|个星期|年|月|天|日|周|星期)(?P<half>半)?(?P<more>多)?"
_AGO = re.compile(
    rf"(?:(?:过了|过去了|已经|都|快|有|超过)\s*{_SPAN}|{_SPAN.replace('?P<', '?P<b_')}"
    r"(?:以前|之前|前|了|过去|没|都|还|一直|也))"
)
_NAMED = {"大前年": 3 * 365, "前年": 2 * 365, "去年": 365, "上个月": 30, "上月": 30, "前几天": 5, "昨天": 1,
          "前天": 2, "上周": 7, "上个星期": 7}
_UNIT_CHARS = re.compile("[年月天日周期]")
_UNIT_DAYS = {"年": 365, "个月": 30, "个多月": 30, "个半月": 30, "月": 30, "天": 1, "日": 1, "周": 7, "星期": 7,
              "个星期": 7}


@dataclass(frozen=True)
class Ago:
    """A time span a question states, in days, and how the question put it."""

    days: int
    words: str


def time_ago(text: str) -> Ago | None:
    """The longest "how long ago" a question states, or None ("五年前" → 1825 days)."""
    if not _UNIT_CHARS.search(text):  # every span and named time has one of these (most questions: none)
        return None
    found: list[Ago] = []
    for match in _AGO.finditer(text):
        groups = {k.removeprefix("b_"): v for k, v in match.groupdict().items() if v is not None}
        raw = groups["n"]
        if raw == "半":
            count = 0.5
        elif raw == "几":
            count = 3.0
        else:
            value = parse_int(raw.replace("几", ""))
            if value is None:
                continue
            count = float(value)
        unit = groups["unit"]
        if groups.get("half") or unit == "个半月":
            count += 0.5
        days = int(count * _UNIT_DAYS[unit]) + (1 if groups.get("more") or unit == "个多月" else 0)
        words = match.group(0)
        for prefix in ("过去了", "过了", "已经", "都", "快", "有", "超过"):
            words = words.removeprefix(prefix)
        found.append(Ago(days, words.rstrip("了没都还一直也过去")))
    for word, days in _NAMED.items():
        if word in text and not any(word in a.words for a in found):
            found.append(Ago(days, word))
    if not found:
        return None
    best = max(found, key=lambda a: a.days)
    return Ago(best.days, _plain(best.words))


def _plain(words: str) -> str:
    words = words.removesuffix("以前").removesuffix("之前").removesuffix("前")
    plain = {"去年": "一年左右", "前年": "两年左右", "大前年": "三年左右", "上个月": "一个月左右", "上月": "一个月左右"}
    return plain.get(words, words)


@dataclass(frozen=True)
class Deadline:
    """A time limit and the entries it bears on."""

    name: str
    days: int
    topics: frozenset[str]
    ids: frozenset[str]
    over: str
    within: str
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()

    def applies(self, entry: Entry, text: str) -> bool:
        """Whether this deadline bears on the entry answering this question."""
        if entry.topic not in self.topics and entry.id not in self.ids:
            return False
        if self.requires and not any(w in text for w in self.requires):
            return False
        return not any(w in text for w in self.unless)


@dataclass(frozen=True)
class Swap:
    """An entry whose rule holds in one case only; `to` answers the other case."""

    source: str
    target: str
    when: tuple[str, ...]
    note: str
    about: tuple[str, ...] = ()  # what the case words describe (买, 购): with both cases named, the nearer wins


@dataclass(frozen=True)
class Note:
    """A stated fact (没签合同, 没写借条) that changes what to do for the entries of some topics."""

    topics: frozenset[str]
    ids: frozenset[str]
    when: tuple[str, ...]
    text: str
    skip: frozenset[str] = frozenset()

    def applies(self, entry: Entry, text: str) -> bool:
        """Whether the question states the fact and the entry is one it bears on."""
        bears = (entry.topic in self.topics or entry.id in self.ids) and entry.id not in self.skip
        return bears and any(w in text for w in self.when)


@dataclass(frozen=True)
class Facts:
    """The rules of facts.toml."""

    deadlines: tuple[Deadline, ...]
    swaps: tuple[Swap, ...]
    distinguish: tuple[tuple[frozenset[str], str], ...]
    fact_notes: tuple[Note, ...] = ()

    def notes(self, entry: Entry, text: str) -> list[str]:
        """What the stated facts change for this entry's answer: the first applicable deadline for the
        time given, then the notes on other facts."""
        notes = []
        ago = time_ago(text)
        if ago is not None:
            for deadline in self.deadlines:
                if deadline.applies(entry, text):
                    template = deadline.over if ago.days > deadline.days else deadline.within
                    notes.append(template.format(ago=ago.words))
                    break
        notes += [note.text for note in self.fact_notes if note.applies(entry, text)]
        return notes

    def states_deadline(self, entry: Entry, text: str) -> bool:
        """The question gives a time that a time limit of this entry turns on (the time decides the answer)."""
        return time_ago(text) is not None and any(d.applies(entry, text) for d in self.deadlines)

    def overdue_entry(self, entry: Entry, text: str, candidates: Sequence[str]) -> str | None:
        """The entry on the time limit itself, when the time given is past a limit bearing on `entry`."""
        ago = time_ago(text)
        if ago is None:
            return None
        for deadline in self.deadlines:
            if deadline.applies(entry, text):
                if ago.days > deadline.days:
                    return next((i for i in deadline.prefer if i in candidates and i != entry.id), None)
                return None
        return None

    def swap(self, entry_id: str, text: str) -> Swap | None:
        """The swap to make when the question states the case the entry does not cover.

        A question that also states the entry's own case names both: the case named nearer to what the
        rule is about wins ("结婚后，买房首付用婚前的钱" → bought after marriage; "结婚前买的房，婚后一直住在
        里面" → bought before); without such a word, or as near, the entry the question was matched to stays.
        """
        for swap in self.swaps:
            if swap.source == entry_id and any(w in text for w in swap.when):
                back = [s for s in self.swaps if s.source == swap.target and s.target == entry_id]
                own = [w for s in back for w in s.when]
                if not any(w in text for w in own):
                    return swap
                other, mine = _distance(text, swap.when, swap.about), _distance(text, own, swap.about)
                return swap if other < mine else None
        return None

    def question_for(self, ids: Sequence[str]) -> str:
        """A question that tells the first two entries apart, or ''."""
        pair = frozenset(ids[:2])
        for members, question in self.distinguish:
            if pair <= members:
                return question
        return ""

    def citations(self) -> list[str]:
        """Every citation the rules' texts make, for verification."""
        texts = [t for d in self.deadlines for t in (d.over, d.within)] + [s.note for s in self.swaps]
        texts += [n.text for n in self.fact_notes]
        cites = []
        for text in texts:
            for match in CITATION_RE.finditer(text):
                cites.append(match.group(0))
            for law, nums in re.findall(r"《([^》]+)》((?:第\d+条、)+第\d+条)", text):
                cites += [f"《{law}》{n}" for n in nums.split("、")]
        return sorted(set(cites))


def load_facts(path: Path | None = None) -> Facts:
    """Read facts.toml."""
    data = tomllib.loads((path or FACTS_PATH).read_text(encoding="utf-8"))
    deadlines = tuple(
        Deadline(str(d["name"]), int(d["days"]), frozenset(d.get("topics", [])), frozenset(d.get("ids", [])),
                 str(d["over"]), str(d["within"]), tuple(d.get("requires", [])), tuple(d.get("unless", [])),
                 tuple(d.get("prefer", [])))
        for d in data.get("deadline", [])
    )
    swaps = tuple(Swap(str(s["from"]), str(s["to"]), tuple(s["when"]), str(s["note"]), tuple(s.get("about", ())))
                  for s in data.get("swap", []))
    distinguish = tuple((frozenset(d["ids"]), str(d["question"])) for d in data.get("distinguish", []))
    notes = tuple(Note(frozenset(n.get("topics", [])), frozenset(n.get("ids", [])), tuple(n["when"]), str(n["note"]),
                       frozenset(n.get("skip", []))) for n in data.get("note", []))
    return Facts(deadlines, swaps, distinguish, notes)


@functools.cache
def get_facts() -> Facts:
    """The bundled rules."""
    return load_facts()


AFTER_PENALTY = 3


def _distance(text: str, words: Sequence[str], about: Sequence[str]) -> float:
    """The fewest characters between a word and an `about` word (inf: none). A case is mostly named before
    what it describes ("结婚前买的"): a word after it counts as AFTER_PENALTY characters further."""
    marks = [(m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), text)]
    targets = [(m.start(), m.end()) for a in about for m in re.finditer(re.escape(a), text)]
    gaps = [t0 - m1 if m1 <= t0 else (m0 - t1 + AFTER_PENALTY if t1 <= m0 else 0)
            for m0, m1 in marks for t0, t1 in targets]
    return min(gaps, default=math.inf)
