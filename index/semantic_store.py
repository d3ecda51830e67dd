"""Sentence vectors of the neural model, one row per sentence of every clause (ingest/spans.py's split).

Row order: clause 0's sentences in text order, then its glossary entries (a term it uses, explained:
found by, never quoted), then clause 1's, … `offsets[i]:offsets[i + 1]` are clause i's rows, the
first `sentence_counts[i]` of them its sentences: the answer layer gets, for each sentence it reads,
the question's similarity. Stored as .npy beside the rest of the index; an index without them simply
has no semantic signal. Like the clause vectors (index/dense.py), the sentences are compared one by one
below `exact_search_below` rows and through an HNSW graph from there on (about five sentences a
clause); the vectors file is then memory-mapped, read only for the sentences of the clauses found.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.dense import EXACT_SEARCH_BELOW, DenseIndex, DenseLayout, choose_layout
from index.semantic import E5Embedder
from ingest.spans import split_sentences
from policyqa.model import Clause

VECTORS_FILE = "semantic_vectors.npy"
OFFSETS_FILE = "semantic_offsets.npy"
COUNTS_FILE = "semantic_sentence_counts.npy"
GRAPH_FILE = "semantic_graph.index"  # only for a layout searched through a graph


def sentence_texts(clause: Clause) -> list[str]:
    """A clause's sentences, exactly as the answer layer splits them."""
    return [span.text for span in split_sentences(clause.text)]


class SemanticSentences:
    """Unit vectors of every clause's sentences, and the question's similarity to them."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray, sentence_counts: np.ndarray,
                 graph: DenseIndex | None = None) -> None:
        self.vectors = vectors if vectors.dtype == np.float32 else vectors.astype(np.float32)
        self.offsets = offsets.astype(np.int64, copy=False)
        self.sentence_counts = sentence_counts.astype(np.int64, copy=False)
        self.rows = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        self.graph = graph  # None: every sentence is compared (exact)

    @property
    def layout(self) -> DenseLayout:
        return self.graph.layout if self.graph is not None else DenseLayout("flat")

    @classmethod
    def build(cls, clauses: Sequence[Clause], embedder: E5Embedder,
              exact_below: int = EXACT_SEARCH_BELOW) -> SemanticSentences:
        sentences = [sentence_texts(c) for c in clauses]
        texts = [group + list(c.glossary) for group, c in zip(sentences, clauses, strict=True)]
        offsets = np.concatenate([[0], np.cumsum([len(t) for t in texts])]).astype(np.int64)
        vectors = embedder.embed_passages([t for group in texts for t in group])
        counts = np.asarray([len(g) for g in sentences], dtype=np.int64)
        store = cls(vectors, offsets, counts)
        layout = choose_layout(len(vectors), exact_below)
        if layout.kind != "flat":
            store.graph = DenseIndex.build(store.vectors, store.rows, store.vectors.shape[1], layout)
        return store

    def clause_sentences(self, query_vector: np.ndarray, row: int) -> tuple[float, ...]:
        """The question's cosine with each of clause `row`'s sentences, in text order (not its
        glossary entries)."""
        start = int(self.offsets[row])
        block = np.asarray(self.vectors[start:start + int(self.sentence_counts[row])], dtype=np.float32)
        return tuple(float(x) for x in block @ query_vector.astype(np.float32))

    def ranking(self, query_vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[list[int], list[float]]:
        """The k clause rows whose best sentence is most similar to the question, best first (exact
        search: ties to the lower row); `mask` keeps only the clause rows it marks."""
        if self.graph is not None:
            found, scores = self.graph.search(query_vector, k, None if mask is None else mask[self.rows])
            return found.tolist(), scores.tolist()
        best = np.full(len(self.offsets) - 1, -np.inf, dtype=np.float32)
        np.maximum.at(best, self.rows, self.vectors @ query_vector.astype(np.float32))
        if mask is not None:
            best[~mask.astype(bool)] = -np.inf
        live = np.flatnonzero(np.isfinite(best))
        order = live[np.lexsort((live, -best[live]))][:k]
        return order.tolist(), best[order].tolist()

    def save(self, folder: Path) -> None:
        np.save(folder / VECTORS_FILE, np.asarray(self.vectors))
        np.save(folder / OFFSETS_FILE, self.offsets)
        np.save(folder / COUNTS_FILE, self.sentence_counts)
        if self.graph is not None:
            self.graph.write(folder / GRAPH_FILE)

    @classmethod
    def load(cls, folder: Path, clause_count: int) -> SemanticSentences | None:
        """The stored sentence vectors; None when the index has none (built without the model)."""
        if not (folder / VECTORS_FILE).is_file():
            return None
        searched_by_graph = (folder / GRAPH_FILE).is_file()
        # with a graph the vectors are only read for the clauses found: left on disk until then
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r" if searched_by_graph else None)
        offsets, counts = np.load(folder / OFFSETS_FILE), np.load(folder / COUNTS_FILE)
        if len(offsets) != clause_count + 1 or len(vectors) != offsets[-1] or len(counts) != clause_count:
            raise ValueError("sentence vectors do not match the clauses")
        store = cls(vectors, offsets, counts)
        if searched_by_graph:
            store.graph = DenseIndex.read(folder / GRAPH_FILE, store.rows)
        return store
