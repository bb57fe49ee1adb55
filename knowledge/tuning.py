"""Grid search of the reply policy on the tuning sets only (`python -m knowledge.tuning`).

Tuned on: devset.toml and statutes_dev.toml (the first half of the statute-fallback questions).
Holdout, judge, statutes_holdout and LawBench are never read here: they stay honest estimates.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging

from knowledge.answering import DEFAULT_POLICY, Responder
from knowledge.evaluation import DEVSET_PATH, load_devset, score
from knowledge.lexicon import DATA_DIR

STATUTES_DEV_PATH = DATA_DIR / "statutes_dev.toml"


def main() -> None:
    """Print, for each policy on the grid, the dev set's figures and the statute-fallback hits."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    responder = Responder.load()
    kb = responder.kb
    dev = load_devset(DEVSET_PATH, {e.id for e in kb.entries})
    statutes = load_devset(STATUTES_DEV_PATH)

    def first_cite_of(entry_id: str) -> str | None:
        return kb.entry(entry_id).basis[0]

    print("answer  ask  tie  statute  direct  precision  first  off-handled  statutes-first")
    grid = itertools.product((0.45, 0.50), (0.75, 0.80, 0.85), (0.90, 0.95, 1.01), (5.0,))
    for answer, ask, tie, statute in grid:
        responder.policy = dataclasses.replace(DEFAULT_POLICY, answer=answer, ask_ratio=ask, tie_ratio=tie,
                                               statute_min_score=statute)
        m = score("dev", responder.respond, dev, first_cite_of, timing=False)
        s = score("statutes", responder.respond, statutes, first_cite_of, timing=False)
        print(f"{answer:.2f}  {ask:.2f}  {tie:.2f}  {statute:4.1f}  {m.rate(m.direct):6.1%}"
              f"  {m.rate(m.direct_right, m.direct):8.1%}  {m.rate(m.first_hit):6.1%}  {m.off_handled:4}"
              f"  {s.first_hit:3}/{s.legal}")


if __name__ == "__main__":
    main()
