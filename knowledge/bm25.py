"""A bm25s index scored with per-term query weights, and several such indexes scored in one pass."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class _Columns:
    """A term-major sparse matrix (CSC-like): each term's documents and their BM25 contributions."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                 num_docs: int) -> None:
        self.vocab, self.indptr, self.indices, self.data, self.num_docs = vocab, indptr, indices, data, num_docs

    def scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """Weighted sum of each term's contributions, one float32 score per document.

        The terms' columns are gathered at once and added in query order by `np.add.at` (unbuffered,
        in index order), so each document's sum is the same float32 sum as adding term after term.
        """
        out = np.zeros(self.num_docs, dtype=np.float32)
        vocab = self.vocab
        found = [(vocab[term], weight) for term, weight in weights.items() if term in vocab]
        if not found:
            return out
        term_ids = np.array([t for t, _ in found], dtype=np.int64)
        lo = self.indptr[term_ids]
        lengths = self.indptr[term_ids + 1] - lo
        ends = np.cumsum(lengths)
        positions = np.arange(ends[-1]) + np.repeat(lo - (ends - lengths), lengths)  # every lo[i] + j, j < lengths[i]
        factors = np.repeat(np.array([w for _, w in found], dtype=np.float32), lengths)
        np.add.at(out, self.indices[positions], factors * self.data[positions])
        return out


class WeightedBM25:
    """bm25s index over tokenised documents; a query is a mapping of term → weight."""

    def __init__(self, docs: list[list[str]], *, k1: float, b: float) -> None:
        index = bm25s.BM25(k1=k1, b=b)
        index.index(docs, show_progress=False)
        matrix = index.scores
        self.num_docs = int(matrix["num_docs"])
        vocab = {t: i for t, i in index.vocab_dict.items() if t}
        self._columns = _Columns(vocab, matrix["indptr"], matrix["indices"], matrix["data"], self.num_docs)

    def __contains__(self, term: object) -> bool:
        return term in self._columns.vocab

    def scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """Weighted sum of each term's BM25 contribution, one score per document."""
        return self._columns.scores(weights)


class StackedBM25:
    """Several indexes scored in one pass (one gather instead of one per index): the same scores as
    each index's own `scores`, since every document belongs to one index."""

    def __init__(self, indexes: Sequence[WeightedBM25]) -> None:
        columns = [ix._columns for ix in indexes]
        ends = [int(e) for e in np.cumsum([c.num_docs for c in columns])]
        offsets = [0, *ends[:-1]]
        self._slices = [slice(a, b) for a, b in zip(offsets, ends, strict=True)]
        vocab: dict[str, int] = {}
        parts: list[list[tuple[np.ndarray, np.ndarray]]] = []
        for col, offset in zip(columns, offsets, strict=True):
            for term, term_id in col.vocab.items():
                lo, hi = col.indptr[term_id], col.indptr[term_id + 1]
                if term not in vocab:
                    vocab[term] = len(parts)
                    parts.append([])
                parts[vocab[term]].append((col.indices[lo:hi] + offset, col.data[lo:hi]))
        lengths = [sum(len(ix) for ix, _ in p) for p in parts]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        indices = np.concatenate([ix for p in parts for ix, _ in p]).astype(np.int64)
        data = np.concatenate([d for p in parts for _, d in p]).astype(np.float32)
        self._columns = _Columns(vocab, indptr, indices, data, ends[-1])

    def scores(self, weights: Mapping[str, float]) -> list[np.ndarray]:
        """Each index's scores (as WeightedBM25.scores gives them), in the order the indexes were given."""
        scores = self._columns.scores(weights)
        return [scores[part] for part in self._slices]
