"""Evaluate the replies villagers get (`mingbai kb eval`): per set, per question kind, and on LawBench.

A set is a TOML file of [[case]] tables: `q`, then either `expected` (an entry id, or "off-topic")
or `cite` (a list of citations, any of which is right), and an optional `kind`. Scoring by
citation keeps a set valid when entries are added or merged. What is measured is the reply
(knowledge.answering.Responder): a direct answer, a choice between topics, statute articles, or
a friendly non-legal reply.

Sets: devset.toml is the only one tuned on; holdout.toml and judge.toml are never tuned on.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.lexicon import DATA_DIR
from knowledge.reply import Reply

DEVSET_PATH = DATA_DIR / "devset.toml"
# Written after the last tuning step and never used to tune: an honest estimate for new questions.
HOLDOUT_PATH = DATA_DIR / "holdout.toml"
# Written by kb-engine before it changed the ranking, scored by citation, never tuned on.
JUDGE_PATH = DATA_DIR / "judge.toml"
# Long consultations in the style of a legal Q&A site, written for tuning like devset.toml.
CONSULT_PATH = DATA_DIR / "consult_dev.toml"
SETS = {"dev": DEVSET_PATH, "consult": CONSULT_PATH, "holdout": HOLDOUT_PATH, "judge": JUDGE_PATH}
DEFAULT_SETS = ("dev", "holdout", "judge")
OFF_TOPIC = "off-topic"
TIMING_ROUNDS = 3

Respond = Callable[[str], Reply]


@dataclass(frozen=True)
class DevCase:
    """One question and what is right: an entry id, citations, or off-topic."""

    question: str
    expected: str = ""
    kind: str = ""
    cites: tuple[str, ...] = ()

    @property
    def off_topic(self) -> bool:
        """Whether the question must not get a legal answer."""
        return self.expected == OFF_TOPIC


def load_devset(path: Path | None = None, known_ids: set[str] | None = None) -> list[DevCase]:
    """Read a set ([[case]] q, expected | cite, kind); check expected ids when known_ids is given."""
    data = tomllib.loads((path or DEVSET_PATH).read_text(encoding="utf-8"))
    cases = []
    for row in data.get("case", []):
        cites = tuple(str(c) for c in row.get("cite", []))
        expected = str(row.get("expected", ""))
        if not expected and not cites:
            raise ValueError(f"case {row.get('q')!r} has neither expected nor cite")
        cases.append(DevCase(str(row["q"]), expected, str(row.get("kind", "")), cites))
    if known_ids is not None:
        unknown = sorted({c.expected for c in cases if c.expected and not c.off_topic and c.expected not in known_ids})
        if unknown:
            raise ValueError(f"set expects unknown entry ids: {', '.join(unknown)}")
    return cases


@dataclass(frozen=True)
class Miss:
    """A legal case whose first reply was wrong, or an off-topic case given legal content."""

    case: DevCase
    kind: str
    got: tuple[str, ...]


@dataclass
class Metrics:
    """Figures of one set."""

    name: str
    cases: int = 0
    legal: int = 0
    off_topic: int = 0
    direct: int = 0  # legal questions answered directly
    direct_right: int = 0
    first_hit: int = 0  # first reply right (answer, option 1 or first article)
    cited: int = 0  # a right article among those the first reply names (Reply.cited)
    top3: int = 0
    statutes: int = 0  # legal questions answered with statute articles
    choices: int = 0
    off_handled: int = 0  # off-topic questions given no legal content
    off_answered: int = 0  # off-topic questions given a direct legal answer
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [first hits, cases]
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    misses: list[Miss] = field(default_factory=list)

    def rate(self, part: int, whole: int | None = None) -> float:
        """part / whole (default: legal cases), 0 when empty."""
        whole = self.legal if whole is None else whole
        return part / whole if whole else 0.0


def expected_cites(case: DevCase, first_cite_of: Callable[[str], str | None]) -> set[str]:
    """The citations that count as right: the case's list, or its expected entry's first citation."""
    if case.cites:
        return set(case.cites)
    cite = first_cite_of(case.expected)
    return {cite} if cite else set()


def score(name: str, respond: Respond, cases: Sequence[DevCase],
          first_cite_of: Callable[[str], str | None], *, timing: bool = True) -> Metrics:
    """Ask every question and score the replies."""
    m = Metrics(name, cases=len(cases))
    for case in cases:
        reply = respond(case.question)
        tally = m.by_kind.setdefault(case.kind or "-", [0, 0])
        tally[1] += 1
        if case.off_topic:
            m.off_topic += 1
            ok = not reply.legal
            m.off_handled += ok
            m.off_answered += reply.kind == "answer"
            tally[0] += ok
            if not ok:
                m.misses.append(Miss(case, reply.kind, reply.entry_ids or reply.citations))
            continue
        m.legal += 1
        right = expected_cites(case, first_cite_of)

        def hit(position: int, reply: Reply = reply, right: set[str] = right, case: DevCase = case) -> bool:
            if reply.kind in ("answer", "choices") and case.expected and len(reply.entries) > position:
                if reply.entries[position].id == case.expected:
                    return True
            cites = reply.citations
            return len(cites) > position and cites[position] in right

        first = reply.legal and hit(0)
        m.first_hit += first
        m.cited += first or bool(right.intersection(reply.cited))
        m.top3 += reply.legal and any(hit(i) for i in range(3))
        m.direct += reply.kind == "answer"
        m.direct_right += reply.kind == "answer" and first
        m.statutes += reply.kind == "statutes"
        m.choices += reply.kind == "choices"
        tally[0] += first
        if not first:
            m.misses.append(Miss(case, reply.kind, reply.entry_ids or reply.citations))
    if timing:
        m.p50_ms, m.p99_ms = latency(respond, [c.question for c in cases])
    return m


def latency(respond: Respond, questions: Sequence[str], rounds: int = TIMING_ROUNDS) -> tuple[float, float]:
    """p50 and p99 over questions of each question's median time over `rounds` runs.

    Time is the thread's CPU time: on a shared machine wall time mostly measures the other
    processes (bench/kb_search.py reports both). The median per question keeps a stray pause from
    counting as the cost of whichever question happened to be running.
    """
    per_question: list[list[float]] = [[] for _ in questions]
    for _ in range(rounds):
        for times, question in zip(per_question, questions, strict=True):
            start = time.thread_time()
            respond(question)
            times.append((time.thread_time() - start) * 1000)
    medians = sorted(statistics.median(times) for times in per_question)
    if not medians:
        return 0.0, 0.0
    return medians[len(medians) // 2], medians[min(len(medians) - 1, int(len(medians) * 0.99))]


def format_metrics(m: Metrics, *, misses: bool = False) -> str:
    """A plain-text block of one set's figures, optionally every miss."""
    lines = [
        f"{m.name}: {m.cases} questions ({m.legal} legal, {m.off_topic} off-topic/small talk)",
        f"  direct answers            {m.rate(m.direct):6.1%}  ({m.direct}/{m.legal}; "
        f"choices {m.choices}, statute articles {m.statutes})",
        f"  direct answers right      {m.rate(m.direct_right, m.direct):6.1%}  ({m.direct_right}/{m.direct})",
        f"  first reply right         {m.rate(m.first_hit):6.1%}  ({m.first_hit}/{m.legal})",
        f"  right among first three   {m.rate(m.top3):6.1%}  ({m.top3}/{m.legal})",
        f"  right article cited       {m.rate(m.cited):6.1%}  ({m.cited}/{m.legal}; any article the first reply names)",
        f"  off-topic handled         {m.rate(m.off_handled, m.off_topic):6.1%}  ({m.off_handled}/{m.off_topic}; "
        f"{m.off_answered} given a legal answer)",
        "  first reply right by kind: " + ", ".join(f"{k} {h}/{n}" for k, (h, n) in sorted(m.by_kind.items())),
    ]
    if m.p99_ms:
        lines.append(f"  CPU per question p50/p99  {m.p50_ms:.2f} / {m.p99_ms:.2f} ms")
    if misses:
        lines.append("  misses:")
        for miss in m.misses:
            want = miss.case.expected or " | ".join(miss.case.cites)
            lines.append(f"    [{miss.kind}] {miss.case.question} → want {want}; got {list(miss.got)[:3]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation on the chosen sets (and LawBench) and print the figures."""
    parser = argparse.ArgumentParser(prog="mingbai kb eval", description=__doc__)
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS),
                        help="a bundled set: dev, consult, holdout, judge (repeatable; default: dev, holdout, judge)")
    parser.add_argument("--devset", type=Path, action="append", default=[],
                        help="another set file (TOML; repeatable)")
    parser.add_argument("--holdout", action="store_true", help="the held-out set only (same as --set holdout)")
    parser.add_argument("--lawbench", type=Path, default=None, help="LawBench 3-8 JSON: same law / same article")
    parser.add_argument("--faq-dir", type=Path, default=None, help="FAQ directory (default: bundled)")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict" chatter in the report
    from knowledge.answering import Responder

    responder = Responder.load(args.faq_dir)
    kb = responder.kb
    paths: list[Path] = [SETS[s] for s in args.sets or ()]
    if args.holdout:
        paths.append(HOLDOUT_PATH)
    paths += args.devset
    if not paths and not args.lawbench:
        paths = [SETS[name] for name in DEFAULT_SETS]
    ids = {e.id for e in kb.entries}

    def first_cite_of(entry_id: str) -> str | None:
        return kb.entry(entry_id).basis[0] if entry_id in ids else None

    blocks = []
    for path in paths:
        cases = load_devset(path, ids)
        blocks.append(format_metrics(score(path.name, responder.respond, cases, first_cite_of), misses=args.misses))
    if args.lawbench:
        from knowledge.lawbench import format_lawbench, load_lawbench, score_lawbench

        blocks.append(format_lawbench(score_lawbench(responder.respond, load_lawbench(args.lawbench)),
                                      misses=args.misses))
    print("\n\n".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
