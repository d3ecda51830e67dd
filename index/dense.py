"""The dense index: FAISS inner product over unit vectors of clause pieces, max score per clause.

FAISS is used directly: llama-index's FaissVectorStore can neither delete nor filter, and every
build here writes a fresh index anyway (see build.py), so a flat IP index is all that is needed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

INDEX_FILE = "faiss.index"
PIECES_FILE = "piece_rows.npy"


class DenseIndex:
    """Piece vectors in FAISS; `piece_rows[i]` is the clause row piece i belongs to."""

    def __init__(self, faiss_index: Any, piece_rows: np.ndarray) -> None:  # a faiss.Index
        self._index = faiss_index
        self.piece_rows = piece_rows.astype(np.int64)

    @classmethod
    def build(cls, vectors: np.ndarray, piece_rows: np.ndarray, dim: int) -> DenseIndex:
        """A flat inner-product index over unit vectors."""
        import faiss

        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, piece_rows)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def vectors_of(self, pieces: np.ndarray) -> np.ndarray:
        """The stored vectors of the given piece numbers (reused for unchanged files)."""
        if len(pieces) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)[pieces]

    def _search_pieces(self, query_vector: np.ndarray, fetch: int,
                       piece_mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, piece numbers) of the `fetch` nearest pieces the mask allows."""
        import faiss

        params = None
        bits = None
        if piece_mask is not None:
            bits = np.packbits(piece_mask.astype(np.uint8), bitorder="little")
            # `bits` must outlive the search: the selector holds a raw pointer into it.
            params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits)))  # type: ignore[call-arg]
        scores, pieces = self._index.search(query_vector.reshape(1, -1).astype(np.float32), fetch, params=params)
        del bits
        return scores[0], pieces[0]

    def feedback_vector(self, query_vector: np.ndarray, count: int, weight: float,
                        piece_mask: np.ndarray | None = None) -> np.ndarray:
        """Rocchio's query: the query moved towards the mean of its `count` nearest pieces, unit length."""
        if self.size == 0 or count <= 0 or weight <= 0:
            return query_vector
        _, pieces = self._search_pieces(query_vector, min(self.size, count), piece_mask)
        found = [int(p) for p in pieces if p >= 0]
        if not found:
            return query_vector
        centroid = np.mean([self._index.reconstruct(p) for p in found], axis=0)
        moved = query_vector.astype(np.float32) + weight * centroid
        norm = float(np.linalg.norm(moved))
        return moved / norm if norm > 0 else query_vector

    def search(self, query_vector: np.ndarray, k: int,
               piece_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(clause rows, cosine scores) of the k best clauses, best first."""
        if self.size == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        fetch = min(self.size, k * 3)  # a clause may hold several pieces
        scores, pieces = self._search_pieces(query_vector, fetch, piece_mask)
        best: dict[int, float] = {}
        for piece, score in zip(pieces, scores, strict=True):
            if piece < 0:
                continue
            row = int(self.piece_rows[piece])
            if row not in best:  # results come best first, so the first score is the max
                best[row] = float(score)
        rows = list(best)[:k]
        return np.asarray(rows, dtype=np.int64), np.asarray([best[r] for r in rows], dtype=np.float32)

    def save(self, folder: Path) -> None:
        """faiss's own format plus the piece-to-clause map as .npy."""
        import faiss

        faiss.write_index(self._index, str(folder / INDEX_FILE))
        np.save(folder / PIECES_FILE, self.piece_rows, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        """Read an index written by `save`."""
        import faiss

        return cls(faiss.read_index(str(folder / INDEX_FILE)), np.load(folder / PIECES_FILE, allow_pickle=False))
