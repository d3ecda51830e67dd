"""The BM25 index over jieba tokens, built with bm25s from our own token lists.

bm25s's own tokenizer (like llama-index's BM25Retriever) drops single characters and treats a run
of Chinese as one word; we never use it: corpus and queries are tokenised by index.tokenize.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)


def top_k_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest positive scores, best first; ties broken by lower index."""
    positive = np.flatnonzero(scores > 0)
    if positive.size == 0 or k <= 0:
        return positive[:0]
    if positive.size > k:
        part = np.argpartition(-scores[positive], k - 1)[:k]
        positive = positive[part]
    order = np.lexsort((positive, -scores[positive]))
    return positive[order]


def lucene_idf(df: int, size: int) -> float:
    """Lucene BM25's inverse document frequency of a token `df` of `size` rows hold (0 for none)."""
    return float(np.log(1.0 + (size - df + 0.5) / (df + 0.5))) if df else 0.0


class Bm25Index:
    """Lucene-style BM25 over token lists; row i is clause i of the index."""

    def __init__(self, retriever: Any) -> None:  # a bm25s.BM25
        self._retriever = retriever

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> Bm25Index:
        """Index one token list per clause."""
        import bm25s

        retriever = bm25s.BM25(method="lucene")
        # bm25s cannot index an empty corpus; an index of one empty row scores nothing.
        retriever.index([list(t) for t in token_lists] or [[]], show_progress=False)
        return cls(retriever)

    @property
    def size(self) -> int:
        return int(self._retriever.scores["num_docs"])

    def idf(self, token: str) -> float:
        """Lucene BM25's inverse document frequency of `token` (0 for a token no row holds)."""
        return lucene_idf(self._frequencies().get(token, 0), self.size)

    def weighted_scores(self, weighted_tokens: list[tuple[str, float]], mask: np.ndarray | None = None) -> np.ndarray:
        """Sum over tokens of weight x BM25 score of that token alone, for every row.

        Read straight from bm25s's sparse score matrix (one column per token): one slice per token
        instead of a full scoring call each.
        """
        matrix = self._retriever.scores
        data, rows, starts = matrix["data"], matrix["indices"], matrix["indptr"]
        vocabulary = self._retriever.vocab_dict
        total = np.zeros(self.size, dtype=np.float32)
        for token, weight in weighted_tokens:
            column = vocabulary.get(token)
            if column is None:
                continue
            start = starts[column]
            end = starts[column + 1] if column + 1 < len(starts) else len(data)
            np.add.at(total, rows[start:end], weight * data[start:end])
        return total if mask is None else total * mask

    def _frequencies(self) -> dict[str, int]:
        if not hasattr(self, "_df"):
            self._df = self.document_frequencies()
        return self._df

    def document_frequencies(self) -> dict[str, int]:
        """How many rows hold each indexed token (the column sizes of bm25s's sparse score matrix)."""
        indptr = np.asarray(self._retriever.scores["indptr"])
        ends = np.append(indptr[1:], len(self._retriever.scores["indices"]))
        sizes = (ends - indptr[:len(ends)]).tolist()
        return {token: int(sizes[i]) for token, i in self._retriever.vocab_dict.items() if i < len(sizes)}

    def scores(self, query_tokens: list[str] | tuple[str, ...], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for the query (0 where no token matches or mask is 0)."""
        ids = self._retriever.get_tokens_ids(list(query_tokens))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        scores = self._retriever.get_scores_from_ids(ids)
        return scores if mask is None else scores * mask

    def search(self, query_tokens: list[str] | tuple[str, ...], k: int,
               mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row indices, scores) of the k best rows with a positive score."""
        scores = self.scores(query_tokens, mask)
        rows = top_k_indices(scores, k)
        return rows, scores[rows]

    def save(self, folder: Path) -> None:
        """bm25s's own format: .npy arrays and JSON vocabulary/params (no pickle)."""
        self._retriever.save(str(folder), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Read an index written by `save`, its score matrix memory-mapped: a query reads only the
        columns of its tokens, and a large index is not copied into every serving process."""
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, load_corpus=False, mmap=True))
