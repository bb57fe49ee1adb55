"""A bm25s index scored with per-term query weights."""

from __future__ import annotations

from collections.abc import Mapping

import bm25s
import numpy as np


class WeightedBM25:
    """bm25s index over tokenised documents; a query is a mapping of term → weight."""

    def __init__(self, docs: list[list[str]], *, k1: float, b: float) -> None:
        self._index = bm25s.BM25(k1=k1, b=b)
        self._index.index(docs, show_progress=False)
        matrix = self._index.scores
        self._data: np.ndarray = matrix["data"]
        self._indices: np.ndarray = matrix["indices"]
        self._indptr: np.ndarray = matrix["indptr"]
        self.num_docs = int(matrix["num_docs"])
        self._vocab: dict[str, int] = {t: i for t, i in self._index.vocab_dict.items() if t}

    def __contains__(self, term: object) -> bool:
        return term in self._vocab

    def scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """Weighted sum of each term's BM25 contribution, one score per document."""
        out = np.zeros(self.num_docs, dtype=np.float32)
        for term, weight in weights.items():
            term_id = self._vocab.get(term)
            if term_id is None:
                continue
            lo, hi = self._indptr[term_id], self._indptr[term_id + 1]
            # Within one term's column every document appears once, so plain fancy indexing adds.
            out[self._indices[lo:hi]] += weight * self._data[lo:hi]
        return out
