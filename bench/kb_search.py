"""Search speed of the knowledge base: the reply plan for a question, p50 / p99 per question.

    .venv/bin/python bench/kb_search.py [--scale 3] [--rounds 5] [--lawbench ../shared/eval/lawbench-3-8-dev.json]

Questions: every question of the dev, held-out and judging sets (and LawBench's consultations when
given, long texts). Each question is asked `rounds` times; its time is the median of its runs, so a
scheduler pause on a shared machine does not count as the cost of whichever question was running.
Both wall time and the thread's CPU time are reported. Replies that end in statute articles (the
fallback) are also reported apart. `--scale N` repeats every FAQ entry N times (new ids, same
text) to measure a larger base than the bundled one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.answering import Responder
from knowledge.evaluation import SETS, load_devset
from knowledge.faq import load_entries
from knowledge.lexicon import load_lexicon
from knowledge.retrieval import Analyzer, KnowledgeBase


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(responder: Responder, questions: list[str], rounds: int) -> tuple[list[float], list[float], list[str]]:
    """Median wall and CPU milliseconds per question, and the kind of each reply."""
    walls: list[list[float]] = [[] for _ in questions]
    cpus: list[list[float]] = [[] for _ in questions]
    kinds = [responder.respond(q).kind for q in questions]  # warm-up, and the kinds
    for _ in range(rounds):
        for i, question in enumerate(questions):
            wall, cpu = time.perf_counter(), time.thread_time()
            responder.respond(question)
            cpus[i].append((time.thread_time() - cpu) * 1000)
            walls[i].append((time.perf_counter() - wall) * 1000)
    return [statistics.median(w) for w in walls], [statistics.median(c) for c in cpus], kinds


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1, help="repeat every FAQ entry this many times")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lawbench", type=Path, default=None, help="also ask LawBench 3-8's consultations")
    args = parser.parse_args()
    logging.getLogger("jieba").setLevel(logging.WARNING)
    entries = load_entries()
    base = [dataclasses.replace(e, id=f"{e.id}-x{n}" if n else e.id) for n in range(args.scale) for e in entries]
    started = time.perf_counter()
    responder = Responder(KnowledgeBase(base, Analyzer(load_lexicon())))
    built = time.perf_counter() - started
    questions = [c.question for path in SETS.values() for c in load_devset(path)]
    if args.lawbench:
        questions += [str(r["question"]) for r in json.loads(args.lawbench.read_text(encoding="utf-8"))]
    wall, cpu, kinds = measure(responder, questions, args.rounds)
    fallback = [i for i, kind in enumerate(kinds) if kind == "statutes"]
    print(f"{len(base)} entries, {len(responder.articles)} statute articles, index built in {built:.1f} s; "
          f"{len(questions)} questions x {args.rounds} rounds")
    print(f"{'':22}{'n':>6}{'p50 wall':>10}{'p99 wall':>10}{'p50 CPU':>10}{'p99 CPU':>10}")
    for label, idx in (("all questions", range(len(questions))), ("statute fallback", fallback)):
        w, c = [wall[i] for i in idx], [cpu[i] for i in idx]
        if w:
            print(f"{label:22}{len(w):>6}{percentile(w, .5):>8.2f}ms{percentile(w, .99):>8.2f}ms"
                  f"{percentile(c, .5):>8.2f}ms{percentile(c, .99):>8.2f}ms")


if __name__ == "__main__":
    main()
