"""Vectors of the neural model for every clause's sentences, one row per fragment of a sentence.

A sentence is compared with the question fragment by fragment (`sentence_fragments`): a work plan's
sentence strings several measures together with commas, and one vector for the whole sentence blurs
the one that was asked about. Row order: clause 0's fragments in text order, then the fragments of
its glossary entries (a term it uses, explained: found by, never quoted; a long entry lists many
things too), then clause 1's, …
`offsets[i]:offsets[i + 1]` are clause i's rows, the first `fragment_counts[i]` of them its text; the
answer layer gets, for each sentence it reads, the question's similarity to its closest fragment.
Which sentence a fragment belongs to is not stored: `fragment_sentences` recomputes it from the
clause's text, so both index backends aggregate alike. Stored as .npy beside the rest of the index;
an index without them simply has no semantic signal. Like the clause vectors (index/dense.py), the
fragments are compared one by one below `exact_search_below` rows and through an HNSW graph from
there on (about nine fragments a clause); the vectors file is then memory-mapped, read only for the
fragments of the clauses found.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.dense import EXACT_SEARCH_BELOW, DenseIndex, DenseLayout, choose_layout
from index.semantic import E5Embedder
from ingest.spans import split_segments, split_sentences
from policyqa.model import Clause

VECTORS_FILE = "semantic_vectors.npy"
OFFSETS_FILE = "semantic_offsets.npy"
COUNTS_FILE = "semantic_fragment_counts.npy"
# A comma segment shorter than this joins the next one ("2023年，" names no measure of its own).
# Chosen with the neural ranking alone (R@5 of the gold clauses, README): 8 is best on the development
# set (5, 12, 16 measured); 12 ranks better on the training set but, retrained, answers worse there
# (declines 0.733 against 0.917). What the decision's e5 features are computed from: a change means
# `policyqa train-decision`.
MIN_FRAGMENT_CHARS = 8
GRAPH_FILE = "semantic_graph.index"  # only for a layout searched through a graph


def sentence_fragments(clause: Clause) -> list[list[str]]:
    """Each sentence's fragments, in text order: its comma segments ("，,：:"), a segment shorter
    than MIN_FRAGMENT_CHARS joined to the next (the last to the one before). Together they hold the
    sentence's every character, once; a sentence without commas is one fragment."""
    return _fragments_of(clause.text)


def _fragments_of(text: str) -> list[list[str]]:
    fragments: list[list[str]] = []
    for sentence in split_sentences(text):
        own: list[str] = []
        pending = ""
        for segment in split_segments(text, sentence):
            pending += segment.text
            if len(pending) >= MIN_FRAGMENT_CHARS:
                own.append(pending)
                pending = ""
        if pending:
            if own:
                own[-1] += pending
            else:
                own.append(pending)
        fragments.append(own)
    return fragments


def text_fragments(clause: Clause) -> list[str]:
    """The fragments of the clause's text, in order: its fragment rows."""
    return [f for own in sentence_fragments(clause) for f in own]


def glossary_fragments(clause: Clause) -> list[str]:
    """The fragments of the clause's glossary entries, cut as its sentences are."""
    return [f for entry in clause.glossary for own in _fragments_of(entry) for f in own]


def fragment_sentences(clause: Clause) -> list[int]:
    """The sentence number (in text order) of each of the clause's fragment rows, in row order."""
    return list(_fragment_sentences(clause.text))


@lru_cache(maxsize=16384)
def _fragment_sentences(text: str) -> tuple[int, ...]:
    # asked for every hit of every search: splitting ten clauses again costs about 2 ms a question
    return tuple(n for n, own in enumerate(_fragments_of(text)) for _ in own)


def best_per_sentence(similarities: Sequence[float], sentence_of: Sequence[int]) -> tuple[float, ...]:
    """Per sentence, the highest similarity among its fragments (`sentence_of[k]`: fragment k's
    sentence). Empty when the counts disagree: vectors stored for other text are no signal."""
    if len(similarities) != len(sentence_of) or not sentence_of:
        return ()
    best = [float("-inf")] * (max(sentence_of) + 1)
    for similarity, sentence in zip(similarities, sentence_of, strict=True):
        best[sentence] = max(best[sentence], float(similarity))
    return tuple(best)


class SemanticSentences:
    """Unit vectors of every clause's sentence fragments, and the question's similarity to them."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray, fragment_counts: np.ndarray,
                 graph: DenseIndex | None = None) -> None:
        self.vectors = vectors if vectors.dtype == np.float32 else vectors.astype(np.float32)
        self.offsets = offsets.astype(np.int64, copy=False)
        self.fragment_counts = fragment_counts.astype(np.int64, copy=False)
        self.rows = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        self.graph = graph  # None: every fragment is compared (exact)

    @property
    def layout(self) -> DenseLayout:
        return self.graph.layout if self.graph is not None else DenseLayout("flat")

    @classmethod
    def build(cls, clauses: Sequence[Clause], embedder: E5Embedder,
              exact_below: int = EXACT_SEARCH_BELOW) -> SemanticSentences:
        fragments = [text_fragments(c) for c in clauses]
        texts = [group + glossary_fragments(c) for group, c in zip(fragments, clauses, strict=True)]
        offsets = np.concatenate([[0], np.cumsum([len(t) for t in texts])]).astype(np.int64)
        vectors = embedder.embed_passages([t for group in texts for t in group])
        counts = np.asarray([len(g) for g in fragments], dtype=np.int64)
        store = cls(vectors, offsets, counts)
        layout = choose_layout(len(vectors), exact_below)
        if layout.kind != "flat":
            store.graph = DenseIndex.build(store.vectors, store.rows, store.vectors.shape[1], layout)
        return store

    def clause_fragments(self, query_vector: np.ndarray, row: int) -> tuple[float, ...]:
        """The question's cosine with each of clause `row`'s sentence fragments, in text order (not
        its glossary entries)."""
        start = int(self.offsets[row])
        block = np.asarray(self.vectors[start:start + int(self.fragment_counts[row])], dtype=np.float32)
        return tuple(float(x) for x in block @ query_vector.astype(np.float32))

    def ranking(self, query_vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[list[int], list[float]]:
        """The k clause rows whose best fragment is most similar to the question, best first (exact
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
        np.save(folder / COUNTS_FILE, self.fragment_counts)
        if self.graph is not None:
            self.graph.write(folder / GRAPH_FILE)

    @classmethod
    def load(cls, folder: Path, clause_count: int) -> SemanticSentences | None:
        """The stored fragment vectors; None when the index has none (built without the model)."""
        if not (folder / VECTORS_FILE).is_file():
            return None
        searched_by_graph = (folder / GRAPH_FILE).is_file()
        # with a graph the vectors are only read for the clauses found: left on disk until then
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r" if searched_by_graph else None)
        offsets, counts = np.load(folder / OFFSETS_FILE), np.load(folder / COUNTS_FILE)
        if len(offsets) != clause_count + 1 or len(vectors) != offsets[-1] or len(counts) != clause_count:
            raise ValueError("fragment vectors do not match the clauses")
        store = cls(vectors, offsets, counts)
        if searched_by_graph:
            store.graph = DenseIndex.read(folder / GRAPH_FILE, store.rows)
        return store
