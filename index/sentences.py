"""Sentence-level keyword matching: a clause scored by its best sentence (MaxP).

A long clause whose one sentence answers loses, in clause-level BM25, to a short clause that shares
a few generic words: length normalisation dilutes the long one. Indexing every sentence (with its
clause's lead phrase, the subject of its sentences) and scoring a clause by its best sentence gives
hybrid search a third ranking that is not diluted.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from index.bm25 import Bm25Index
from policyqa.model import Clause

ROWS_FILE = "sentence_rows.npy"
BM25_DIR = "bm25_sentences"
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?\n])")
MIN_SENTENCE_CHARS = 4  # shorter pieces ("2." left by a split) say nothing on their own


def clause_sentences(clause: Clause) -> list[str]:
    """The texts indexed for a clause's sentences: its lead phrase, then each sentence, then each
    glossary entry of a term it uses (found by, never quoted: answers quote `clause.text`)."""
    lead = clause.title or ""
    pieces = [p.strip() for p in _SENTENCE_END.split(clause.text)] + list(clause.glossary)
    return [f"{lead} {p}" if lead and lead not in p else p for p in pieces if len(p) >= MIN_SENTENCE_CHARS]


class SentenceIndex:
    """BM25 over sentences; `rows[i]` is the clause row sentence i belongs to."""

    def __init__(self, bm25: Bm25Index, rows: np.ndarray) -> None:
        self.bm25 = bm25
        self.rows = rows.astype(np.int64)

    @classmethod
    def build(cls, sentence_tokens: list[list[list[str]]]) -> SentenceIndex:
        """From each clause's sentences' tokens (clause rows in order)."""
        rows = np.asarray([row for row, sentences in enumerate(sentence_tokens) for _ in sentences], dtype=np.int64)
        return cls(Bm25Index.build([tokens for sentences in sentence_tokens for tokens in sentences]), rows)

    def search(self, query_tokens: list[str] | tuple[str, ...], k: int,
               clause_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(clause rows, best sentence score) of the k clauses whose best sentence scores highest."""
        if len(self.rows) == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        mask = None if clause_mask is None else clause_mask[self.rows].astype(np.float32)
        scores = self.bm25.scores(query_tokens, mask)
        best = np.zeros(int(self.rows.max()) + 1, dtype=np.float32)
        np.maximum.at(best, self.rows, scores)  # a clause's score: its best sentence's
        positive = np.flatnonzero(best > 0)
        order = positive[np.lexsort((positive, -best[positive]))][:k]
        return order, best[order]

    def save(self, folder: Path) -> None:
        np.save(folder / ROWS_FILE, self.rows)
        (folder / BM25_DIR).mkdir()
        self.bm25.save(folder / BM25_DIR)

    @classmethod
    def load(cls, folder: Path) -> SentenceIndex | None:
        """The sentence index of an index folder; None for an index built before it existed."""
        if not (folder / ROWS_FILE).is_file():
            return None
        return cls(Bm25Index.load(folder / BM25_DIR), np.load(folder / ROWS_FILE))
