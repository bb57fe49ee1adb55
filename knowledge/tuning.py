"""Grid search of the reply policy on the dev set only (`python -m knowledge.tuning`).

Holdout, judge and LawBench are never read here: they stay honest estimates for new questions.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging

from knowledge.answering import DEFAULT_POLICY, Responder
from knowledge.evaluation import DEVSET_PATH, load_devset, score


def main() -> None:
    """Print direct-answer rate, precision and first-reply hits for each policy on the grid."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    responder = Responder.load()
    kb = responder.kb
    cases = load_devset(DEVSET_PATH, {e.id for e in kb.entries})

    def first_cite_of(entry_id: str) -> str | None:
        return kb.entry(entry_id).basis[0]

    rows = []
    grid = itertools.product((0.45, 0.50, 0.55), (0.75, 0.80, 0.85), (0.90, 0.95, 0.98, 1.01), (5.0,))
    for answer, ask, tie, statute in grid:
        responder.policy = dataclasses.replace(DEFAULT_POLICY, answer=answer, ask_ratio=ask, tie_ratio=tie,
                                               statute_min_score=statute)
        m = score("dev", responder.respond, cases, first_cite_of, timing=False)
        rows.append((answer, ask, tie, statute, m.rate(m.direct), m.rate(m.direct_right, m.direct),
                     m.rate(m.first_hit), m.statutes, m.off_answered, m.off_handled))
    print("answer  ask  tie statute  direct  precision  first  statutes off-answered  off-handled")
    for r in rows:
        print(f"{r[0]:.2f}  {r[1]:.2f}  {r[2]:.2f}  {r[3]:4.1f}  {r[4]:6.1%}  {r[5]:8.1%}  {r[6]:6.1%}  {r[7]:4}"
              f"  {r[8]:4}  {r[9]:4}")


if __name__ == "__main__":
    main()
