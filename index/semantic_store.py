"""Sentence vectors of the neural model, one row per sentence of every clause (ingest/spans.py's split).

Row order: clause 0's sentences in text order, then its glossary entries (a term it uses, explained:
found by, never quoted), then clause 1's, … `offsets[i]:offsets[i + 1]` are clause i's rows, the
first `sentence_counts[i]` of them its sentences: the answer layer gets, for each sentence it reads,
the question's similarity. Stored as .npy beside the rest of the index; an index without them simply
has no semantic signal.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.semantic import E5Embedder
from ingest.spans import split_sentences
from policyqa.model import Clause

VECTORS_FILE = "semantic_vectors.npy"
OFFSETS_FILE = "semantic_offsets.npy"
COUNTS_FILE = "semantic_sentence_counts.npy"


def sentence_texts(clause: Clause) -> list[str]:
    """A clause's sentences, exactly as the answer layer splits them."""
    return [span.text for span in split_sentences(clause.text)]


class SemanticSentences:
    """Unit vectors of every clause's sentences, and the question's similarity to them."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray, sentence_counts: np.ndarray) -> None:
        self.vectors = vectors.astype(np.float32, copy=False)
        self.offsets = offsets.astype(np.int64, copy=False)
        self.sentence_counts = sentence_counts.astype(np.int64, copy=False)
        self.rows = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))

    @classmethod
    def build(cls, clauses: Sequence[Clause], embedder: E5Embedder) -> SemanticSentences:
        sentences = [sentence_texts(c) for c in clauses]
        texts = [group + list(c.glossary) for group, c in zip(sentences, clauses, strict=True)]
        offsets = np.concatenate([[0], np.cumsum([len(t) for t in texts])]).astype(np.int64)
        vectors = embedder.embed_passages([t for group in texts for t in group])
        return cls(vectors, offsets, np.asarray([len(g) for g in sentences], dtype=np.int64))

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of the question with every sentence row."""
        return self.vectors @ query_vector.astype(np.float32)

    def clause_sentences(self, similarities: np.ndarray, row: int) -> tuple[float, ...]:
        """The similarities of clause `row`'s sentences, in text order (not its glossary entries)."""
        start = self.offsets[row]
        return tuple(float(x) for x in similarities[start:start + self.sentence_counts[row]])

    def ranking(self, similarities: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[list[int], list[float]]:
        """The k clause rows whose best sentence is most similar, best first (ties: lower row)."""
        best = np.full(len(self.offsets) - 1, -np.inf, dtype=np.float32)
        np.maximum.at(best, self.rows, similarities)
        if mask is not None:
            best[~mask.astype(bool)] = -np.inf
        live = np.flatnonzero(np.isfinite(best))
        order = live[np.lexsort((live, -best[live]))][:k]
        return order.tolist(), best[order].tolist()

    def save(self, folder: Path) -> None:
        np.save(folder / VECTORS_FILE, self.vectors)
        np.save(folder / OFFSETS_FILE, self.offsets)
        np.save(folder / COUNTS_FILE, self.sentence_counts)

    @classmethod
    def load(cls, folder: Path, clause_count: int) -> SemanticSentences | None:
        """The stored sentence vectors; None when the index has none (built without the model)."""
        if not (folder / VECTORS_FILE).is_file():
            return None
        vectors, offsets = np.load(folder / VECTORS_FILE), np.load(folder / OFFSETS_FILE)
        counts = np.load(folder / COUNTS_FILE)
        if len(offsets) != clause_count + 1 or len(vectors) != offsets[-1] or len(counts) != clause_count:
            raise ValueError("sentence vectors do not match the clauses")
        return cls(vectors, offsets, counts)
