"""What both index backends share: the loaded catalogue and the run of a batch of queries.

The catalogue (documents, clause records, token statistics) is read from the index folder by
either backend; the query embedder is the one that built the index. A backend supplies how a
user's filter restricts its search (`_restriction`) and the search of one query (`_search_one`).
"""
from __future__ import annotations

from typing import Generic, TypeVar

import numpy as np

from index.backend import MODES, SearchConfig
from index.embedders import Embedder
from index.filters import Filters
from index.local_files import StoredIndex
from index.tokenize import expand_query
from policyqa.errors import IndexMismatchError, UserError
from policyqa.model import Clause, Document, Hit

Restriction = TypeVar("Restriction")  # a row mask (FAISS backend), a filter expression (Milvus)


class CatalogueIndex(Generic[Restriction]):
    """A loaded index: its catalogue, its query embedder, and search over many queries at once."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, config: SearchConfig | None = None,
                 notices: tuple[str, ...] = ()) -> None:
        self._stored = stored
        self._embedder = embedder
        self.config = config or SearchConfig()
        self.notices = notices
        self._by_id = {c.clause_id: c for c in stored.clauses}
        self._dim_checked = False

    @property
    def documents(self) -> list[Document]:
        return list(self._stored.documents)

    @property
    def clauses(self) -> list[Clause]:
        return list(self._stored.clauses)

    def document_frequencies(self) -> dict[str, int]:
        """Per jieba token, how many clauses hold it (as BM25 indexed them)."""
        return self._stored.bm25.document_frequencies()

    @property
    def embedder_info(self) -> dict:
        return self._stored.embedder_info

    @property
    def embedder(self) -> Embedder:
        """The query embedder (reusable by eval for baselines over the same model)."""
        return self._embedder

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        return self._by_id.get(clause_id)

    def search(self, query: str, top_k: int = 10, filters: Filters | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """The top_k clauses for `query`, best first; filters apply before truncation."""
        return self.search_many([query], top_k, filters, mode)[0]

    def search_many(self, queries: list[str], top_k: int = 10, filters: Filters | None = None,
                    mode: str = "hybrid") -> list[list[Hit]]:
        """`search` for many queries at once (query embeddings computed in one batch)."""
        if mode not in MODES:
            raise UserError(f"未知的检索方式 {mode}（可选：{'、'.join(MODES)}）")
        if filters is not None and not filters.empty and not any(filters.accepts(d) for d in self._stored.documents):
            return [[] for _ in queries]
        restriction = self._restriction(filters)
        live = [i for i, q in enumerate(queries) if q and q.strip()]
        vectors = self._query_vectors([queries[i] for i in live]) if mode != "bm25" and live else None
        results: list[list[Hit]] = [[] for _ in queries]
        for n, i in enumerate(live):
            vector = vectors[n] if vectors is not None else None
            results[i] = self._search_one(queries[i], vector, top_k, restriction, mode)
        return results

    def _query_vectors(self, queries: list[str]) -> np.ndarray:
        vectors = self._embedder.embed_queries([expand_query(q) for q in queries])
        if not self._dim_checked:
            expected = self.embedder_info.get("dim")
            if expected and vectors.shape[1] != expected:
                raise IndexMismatchError(f"查询向量维度 {vectors.shape[1]} 与索引维度 {expected} 不符；"
                                         f"请运行 policyqa ingest --index {self._stored.folder} 重建")
            self._dim_checked = True
        return vectors

    def _restriction(self, filters: Filters | None) -> Restriction:
        """How the backend restricts a search to the documents `filters` accepts."""
        raise NotImplementedError

    def _search_one(self, query: str, vector: np.ndarray | None, top_k: int, restriction: Restriction,
                    mode: str) -> list[Hit]:
        raise NotImplementedError
