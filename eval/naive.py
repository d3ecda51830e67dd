"""The naive baseline: what assembling llama-index defaults gives on this corpus.

Fixed-size chunks (250 characters, 50 overlap) of the raw file text by llama-index's
SentenceSplitter measured in characters, embedded with the product's own embedder, searched by
vector only in a flat inner-product FAISS index. No repair, no clause structure, no BM25.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.embedders import Embedder

CHUNK_SIZE = 250
CHUNK_OVERLAP = 50


@dataclass(frozen=True)
class Chunk:
    """One fixed-size piece of a file: the unit the naive baseline retrieves."""

    chunk_id: str
    doc_id: str
    text: str


def split_text(text: str, chunk_size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[str]:
    """llama-index's SentenceSplitter with a character tokenizer: chunks of at most chunk_size chars."""
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=overlap, tokenizer=list)
    return [chunk for chunk in splitter.split_text(text) if chunk.strip()]


def chunk_files(paths: Sequence[Path], chunk_size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[Chunk]:
    """Chunks of every file's raw text; ids say file stem and position."""
    chunks: list[Chunk] = []
    for path in paths:
        text = Path(path).read_text(encoding="utf-8-sig")
        for n, piece in enumerate(split_text(text, chunk_size, overlap)):
            chunks.append(Chunk(f"naive:{path.stem}:{n}", path.stem, piece))
    return chunks


class NaiveRetriever:
    """Vector-only search over chunks in a flat inner-product FAISS index."""

    def __init__(self, chunks: Sequence[Chunk], embedder: Embedder) -> None:
        import faiss

        if not chunks:
            raise ValueError("the naive baseline needs at least one chunk")
        self.chunks = list(chunks)
        self._embedder = embedder
        vectors = np.ascontiguousarray(embedder.embed_passages([c.text for c in self.chunks]), dtype=np.float32)
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors)

    def search_many(self, queries: Sequence[str], top_k: int = 10) -> list[list[str]]:
        """Chunk ids per query, best first."""
        vectors = np.ascontiguousarray(self._embedder.embed_queries(list(queries)), dtype=np.float32)
        _, rows = self._index.search(vectors, min(top_k, len(self.chunks)))
        return [[self.chunks[r].chunk_id for r in row if r >= 0] for row in rows]

    def search(self, query: str, top_k: int = 10) -> list[str]:
        """Chunk ids for one query, best first."""
        return self.search_many([query], top_k)[0]
