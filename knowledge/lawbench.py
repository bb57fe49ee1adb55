"""LawBench 3-8 consultations as an external check: does the first reply cite the lawyer's law and article?

A consultation is in scope when its answer's 法律依据 cites an article of a law the knowledge base
covers (IN_SCOPE). Citations of laws folded into 民法典 in 2021 (婚姻法, 合同法, 继承法, 物权法,
侵权责任法, 民法总则, 担保法 ...) are skipped, not mapped: their article numbers do not carry over,
and a consultation citing only them is out of scope. Old article numbers of laws revised since
(土地管理法 before 2019) cannot be told apart and count as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.cite import parse_citation
from knowledge.numerals import parse_int
from knowledge.reply import Reply
from knowledge.statutes import ALIASES, REPEALED

IN_SCOPE = frozenset({
    "民法典", "劳动合同法", "道路交通安全法", "土地管理法", "农村土地承包法", "人民调解法", "反家庭暴力法",
    "法律援助法", "消费者权益保护法", "食品安全法", "老年人权益保障法", "劳动争议调解仲裁法", "工伤保险条例",
})
_CITE = re.compile(r"《(?:中华人民共和国)?(?P<law>[^《》]{2,40}?)》\s*第(?P<num>[零〇一二两三四五六七八九十百千\d]+)条")


@dataclass(frozen=True)
class Consultation:
    """One in-scope consultation: the question and the lawyer's in-scope citations."""

    question: str
    cites: tuple[str, ...]

    @property
    def laws(self) -> frozenset[str]:
        """Laws cited."""
        return frozenset(c.law for c in map(parse_citation, self.cites) if c is not None)


@dataclass
class LawbenchMetrics:
    """Same-law and same-article rates of the first reply."""

    total: int = 0
    skipped_repealed: int = 0
    cases: int = 0
    same_law: int = 0
    same_article: int = 0
    article_cited: int = 0  # the lawyer's article among those the first reply names (Reply.cited)
    answered_legal: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    misses: list[tuple[str, tuple[str, ...], str | None]] = field(default_factory=list)


def lawbench_cites(answer: str) -> tuple[list[str], bool]:
    """In-scope citations of a lawyer's answer, and whether it cited a repealed law."""
    basis = answer.split("法律依据", 1)[-1]
    cites: list[str] = []
    repealed = False
    for match in _CITE.finditer(basis):
        law = ALIASES.get(match["law"], match["law"])
        if law in REPEALED:
            repealed = True
            continue
        number = parse_int(match["num"])
        if law in IN_SCOPE and number:
            cite = f"《{law}》第{number}条"
            if cite not in cites:
                cites.append(cite)
    return cites, repealed


def load_lawbench(path: Path) -> tuple[list[Consultation], int, int]:
    """The in-scope consultations, the number of records, and how many were skipped as pre-2021 only."""
    records = json.loads(path.read_text(encoding="utf-8"))
    kept: list[Consultation] = []
    skipped = 0
    for record in records:
        cites, repealed = lawbench_cites(str(record.get("answer", "")))
        if cites:
            kept.append(Consultation(str(record["question"]), tuple(cites)))
        elif repealed:
            skipped += 1
    return kept, len(records), skipped


def score_lawbench(respond: Callable[[str], Reply],
                   loaded: tuple[Sequence[Consultation], int, int]) -> LawbenchMetrics:
    """Ask every in-scope consultation and compare the first reply's first citation."""
    consultations, total, skipped = loaded
    m = LawbenchMetrics(total=total, skipped_repealed=skipped, cases=len(consultations))
    for case in consultations:
        reply = respond(case.question)
        m.kinds[reply.kind] = m.kinds.get(reply.kind, 0) + 1
        first = reply.first_citation if reply.legal else None
        parsed = parse_citation(first) if first else None
        m.answered_legal += reply.legal
        law_ok = parsed is not None and parsed.law in case.laws
        m.same_law += law_ok
        m.same_article += first in case.cites
        m.article_cited += bool(set(case.cites).intersection(reply.cited))
        if not law_ok:
            m.misses.append((case.question, case.cites, first))
    return m


def format_lawbench(m: LawbenchMetrics, *, misses: bool = False) -> str:
    """A plain-text block of the LawBench figures."""
    def pct(part: int) -> str:
        return f"{part / m.cases:6.1%}" if m.cases else "   n/a"

    lines = [
        f"lawbench: {m.cases} in-scope consultations of {m.total} "
        f"({m.skipped_repealed} citing only pre-2021 laws skipped)",
        f"  first reply same law      {pct(m.same_law)}  ({m.same_law}/{m.cases})",
        f"  first reply same article  {pct(m.same_article)}  ({m.same_article}/{m.cases}; its first citation)",
        f"  same article cited        {pct(m.article_cited)}  ({m.article_cited}/{m.cases}; "
        "any article the first reply names)",
        "  reply kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(m.kinds.items())),
    ]
    if misses:
        lines.append("  law misses:")
        lines += [f"    {q[:60]} → want {' '.join(c)}; got {got}" for q, c, got in m.misses]
    return "\n".join(lines)
