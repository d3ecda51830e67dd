"""The dense index: FAISS inner product over unit vectors of clause pieces, max score per clause.

FAISS is used directly: llama-index's FaissVectorStore can neither delete nor filter, and every
build here writes a fresh index anyway (see build.py). Below `exact_search_below` pieces the search
is exact (a flat index: at 200k pieces a query costs a few ms); above it an HNSW graph answers in
milliseconds at any size, at a recall measured by eval/benchmark_retrieval.py against exact search.
A filter that leaves few pieces is searched exactly over just those pieces, where a graph walk
would miss them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

INDEX_FILE = "faiss.index"
PIECES_FILE = "piece_rows.npy"
EXACT_SEARCH_BELOW = 200_000  # pieces; POLICYQA_EXACT_SEARCH_BELOW overrides it
FILTERED_EXACT_BELOW = 20_000  # pieces a filter leaves that are compared one by one (a few ms)


@dataclass(frozen=True)
class DenseLayout:
    """How the dense index is searched: exactly ("flat") or through an HNSW graph ("hnsw")."""

    kind: str = "flat"
    m: int = 32  # graph neighbours per node
    ef_construction: int = 80
    # candidates kept while searching: recall against speed (1M synthetic clauses, recall@10 against
    # exact search: 128 0.903, 256 0.947, 512 0.957 at under 1 ms a search; eval/bench/retrieval.md)
    ef_search: int = 512
    # how the graph's vectors are held: "fp16" halves the memory of "float32" (1M clauses: 0.5 GB
    # instead of 1 GB) at the same recall (eval/bench/retrieval.md); 8-bit codes lost 1.5 points
    vectors: str = "fp16"

    def to_json(self) -> dict[str, Any]:
        return asdict(self) if self.kind == "hnsw" else {"kind": self.kind}


def choose_layout(pieces: int, exact_below: int = EXACT_SEARCH_BELOW) -> DenseLayout:
    """Exact search below `exact_below` pieces, HNSW from there on."""
    return DenseLayout("hnsw") if pieces >= exact_below else DenseLayout("flat")


class DenseIndex:
    """Piece vectors in FAISS; `piece_rows[i]` is the clause row piece i belongs to."""

    def __init__(self, faiss_index: Any, piece_rows: np.ndarray) -> None:  # a faiss.Index
        self._index = faiss_index
        self.piece_rows = piece_rows.astype(np.int64)

    @classmethod
    def build(cls, vectors: np.ndarray, piece_rows: np.ndarray, dim: int,
              layout: DenseLayout | None = None) -> DenseIndex:
        """An inner-product index over unit vectors, flat or HNSW as `layout` says (flat by default)."""
        import faiss

        layout = layout or DenseLayout()
        index: Any
        if layout.kind == "hnsw" and layout.vectors == "fp16":
            index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_fp16, layout.m,  # type: ignore[arg-type]
                                      faiss.METRIC_INNER_PRODUCT)
        elif layout.kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, layout.m, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexFlatIP(dim)
        if layout.kind == "hnsw":
            index.hnsw.efConstruction = layout.ef_construction
            index.hnsw.efSearch = layout.ef_search  # written with the index
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, piece_rows)

    @property
    def layout(self) -> DenseLayout:
        """The layout this index was built with (read back from the FAISS index itself)."""
        import faiss

        hnsw = getattr(self._index, "hnsw", None)
        if hnsw is None:
            return DenseLayout("flat")
        held = "fp16" if isinstance(faiss.downcast_index(self._index.storage), faiss.IndexScalarQuantizer) else "float32"
        return DenseLayout("hnsw", m=int(hnsw.nb_neighbors(1)), ef_construction=int(hnsw.efConstruction),
                           ef_search=int(hnsw.efSearch), vectors=held)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def set_ef_search(self, ef_search: int) -> None:
        """Candidates an HNSW search keeps (recall against speed); nothing for an exact index."""
        hnsw = getattr(self._index, "hnsw", None)
        if hnsw is not None:
            hnsw.efSearch = int(ef_search)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def vectors_of(self, pieces: np.ndarray) -> np.ndarray:
        """The stored vectors of the given piece numbers (reused for unchanged files)."""
        if len(pieces) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(np.asarray(pieces, dtype=np.int64))

    def _search_pieces(self, query_vector: np.ndarray, fetch: int,
                       piece_mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, piece numbers) of the `fetch` nearest pieces the mask allows."""
        import faiss

        query = query_vector.reshape(1, -1).astype(np.float32)
        hnsw = getattr(self._index, "hnsw", None)
        if hnsw is not None and piece_mask is not None:
            allowed = np.flatnonzero(piece_mask)
            if len(allowed) <= max(FILTERED_EXACT_BELOW, fetch):
                return self._exact_among(query[0], allowed, fetch)
        params = None
        bits = None
        if piece_mask is not None:
            bits = np.packbits(piece_mask.astype(np.uint8), bitorder="little")
            # `bits` must outlive the search: the selector holds a raw pointer into it.
            selector = faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits))
            params = (faiss.SearchParametersHNSW(sel=selector, efSearch=max(int(hnsw.efSearch), fetch))  # type: ignore[attr-defined]
                      if hnsw is not None else faiss.SearchParameters(sel=selector))  # type: ignore[call-arg]
        elif hnsw is not None and fetch > hnsw.efSearch:
            params = faiss.SearchParametersHNSW(efSearch=fetch)  # type: ignore[attr-defined]
        scores, pieces = self._index.search(query, fetch, params=params)
        del bits
        return scores[0], pieces[0]

    def _exact_among(self, query: np.ndarray, allowed: np.ndarray, fetch: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, piece numbers) of the `fetch` best of the `allowed` pieces, by exact inner product,
        padded with -1 like a FAISS result."""
        scores = np.full(fetch, -np.inf, dtype=np.float32)
        pieces = np.full(fetch, -1, dtype=np.int64)
        if len(allowed):
            similarity = self._index.reconstruct_batch(allowed.astype(np.int64)) @ query
            best = np.argsort(-similarity, kind="stable")[:fetch]
            scores[:len(best)], pieces[:len(best)] = similarity[best], allowed[best]
        return scores, pieces

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
        self.write(folder / INDEX_FILE)
        np.save(folder / PIECES_FILE, self.piece_rows, allow_pickle=False)

    def write(self, path: Path) -> None:
        """The FAISS index alone (its piece-to-row map is the caller's to keep)."""
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        """Read an index written by `save`."""
        return cls.read(folder / INDEX_FILE, np.load(folder / PIECES_FILE, allow_pickle=False))

    @classmethod
    def read(cls, path: Path, piece_rows: np.ndarray) -> DenseIndex:
        """Read a FAISS index written by `write`, with its pieces' rows."""
        import faiss

        dense = cls(faiss.read_index(str(path)), piece_rows)
        # a search-time setting: an index built with fewer candidates gets today's
        dense.set_ef_search(max(dense.layout.ef_search, DenseLayout().ef_search))
        return dense
