"""Plain BM25 baseline for the evaluation: default jieba cut, no lexicon, no pinyin, fixed threshold."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import bm25s
import jieba
import numpy as np

from knowledge.faq import Entry
from knowledge.retrieval import Hit, SearchResult

# Fixed: a top BM25 score at or above it is answered, below it the question counts as off-topic.
# 5.0 is the lowest value at which the baseline answers no off-topic question of the dev set.
BASELINE_THRESHOLD = 5.0


@functools.cache
def _plain_tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _cut(text: str) -> list[str]:
    return [t for t in _plain_tokenizer().cut(text) if t.strip()]


class BaselineBM25:
    """One BM25 document per entry: its phrasings and answer, cut by default jieba."""

    def __init__(self, entries: Sequence[Entry], threshold: float = BASELINE_THRESHOLD) -> None:
        self._entries = tuple(entries)
        self.threshold = threshold
        self._index = bm25s.BM25()
        docs = [_cut(" ".join(e.questions) + " " + e.answer) for e in self._entries]
        self._index.index(docs, show_progress=False)

    def search(self, text: str, k: int = 3) -> SearchResult:
        """Rank entries; band high when the top score reaches the fixed threshold, else low."""
        tokens = [t for t in _cut(text) if t in self._index.vocab_dict]
        if not tokens:
            return SearchResult("low", [], 0.0)
        scores = self._index.get_scores(tokens)
        order = np.argsort(-scores, kind="stable")[:k]
        hits = [Hit(self._entries[i], float(scores[i])) for i in order if scores[i] > 0]
        top = hits[0].score if hits else 0.0
        return SearchResult("high" if top >= self.threshold else "low", hits, top)
