"""What both index backends share: the loaded catalogue and the run of a batch of queries.

The catalogue (documents, clause records, token statistics) is read from the index folder by
either backend; the query embedder is the one that built the index. A backend supplies how a
user's filter restricts its search (`_restriction`) and the search of one query (`_search_one`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from index.backend import MODES, SearchConfig
from index.embedders import Embedder
from index.filters import Filters
from index.local_files import StoredIndex
from index.tokenize import expand_query
from policyqa.errors import IndexMismatchError, UserError
from policyqa.model import Clause, Document, Hit

if TYPE_CHECKING:
    from index.semantic import E5Embedder

# Rankings a backend fuses besides its own, per query: name -> (clause rows best first, their scores)
ExtraRankings = dict[str, tuple[list[int], list[float]]]

Restriction = TypeVar("Restriction")  # a row mask (FAISS backend), a filter expression (Milvus)


class CatalogueIndex(Generic[Restriction]):
    """A loaded index: its catalogue, its query embedder, and search over many queries at once."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, config: SearchConfig | None = None,
                 notices: tuple[str, ...] = (), semantic: E5Embedder | None = None) -> None:
        self._stored = stored
        self._embedder = embedder
        self.config = config or SearchConfig()
        self.notices = notices
        self._dim_checked = False
        # the neural sentence model, when the index holds sentence vectors and the model runs here
        self._semantic = semantic if stored.semantic is not None else None

    @property
    def has_semantic(self) -> bool:
        """Whether hits carry the question's similarity to each sentence (the neural model ran)."""
        return self._semantic is not None

    @property
    def documents(self) -> list[Document]:
        return list(self._stored.documents)

    @property
    def clauses(self) -> Sequence[Clause]:
        """Every clause, row by row (read from the index folder as they are asked for)."""
        return self._stored.clauses

    def clauses_of(self, doc_id: str) -> list[Clause]:
        """A document's clauses, in order."""
        table = self._stored.clauses
        return [table[row] for row in table.rows_of(doc_id).tolist()]

    def document_frequencies(self) -> dict[str, int]:
        """Per jieba token, how many clauses hold it (as BM25 indexed them)."""
        return self._stored.bm25.document_frequencies()

    def corpus_text(self) -> str:
        """Every clause's judged text (index/pieces.py), one per line, as ingest stored it."""
        return self._stored.corpus_text()

    @property
    def embedder_info(self) -> dict:
        return self._stored.embedder_info

    @property
    def embedder(self) -> Embedder:
        """The query embedder (reusable by eval for baselines over the same model)."""
        return self._embedder

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        row = self._stored.clauses.row_of(clause_id)
        return None if row is None else self._stored.clauses[row]

    def search(self, query: str, top_k: int = 10, filters: Filters | None = None,
               mode: str = "hybrid", rewrite: str = "") -> list[Hit]:
        """The top_k clauses for `query`, best first; filters apply before truncation. `rewrite`, the
        question in the documents' wording (from an LLM), is fused as one more ranking (hybrid only)."""
        return self.search_many([query], top_k, filters, mode, [rewrite])[0]

    def search_many(self, queries: list[str], top_k: int = 10, filters: Filters | None = None,
                    mode: str = "hybrid", rewrites: Sequence[str] | None = None) -> list[list[Hit]]:
        """`search` for many queries at once (query embeddings computed in one batch); `rewrites`, when
        given, holds one rewrite per query ("" for none)."""
        if mode not in MODES:
            raise UserError(f"未知的检索方式 {mode}（可选：{'、'.join(MODES)}）")
        if filters is not None and not filters.empty and not any(filters.accepts(d) for d in self._stored.documents):
            return [[] for _ in queries]
        restriction = self._restriction(filters)
        live = [i for i, q in enumerate(queries) if q and q.strip()]
        vectors = self._query_vectors([queries[i] for i in live]) if mode != "bm25" and live else None
        sentence_queries = self._sentence_query_vectors([queries[i] for i in live])
        results: list[list[Hit]] = [[] for _ in queries]
        for n, i in enumerate(live):
            vector = vectors[n] if vectors is not None else None
            extra: ExtraRankings = {}
            if sentence_queries is not None and mode == "hybrid" and self.config.semantic_weight:
                extra["semantic"] = self._semantic_ranking(sentence_queries[n], max(top_k, self.config.candidates),
                                                           filters)
            rewrite = rewrites[i].strip() if rewrites else ""
            if rewrite and mode == "hybrid" and self.config.rewrite_weight:
                extra["rewrite"] = self._rewrite_ranking(rewrite, max(top_k, self.config.candidates), restriction)
            hits = self._search_one(queries[i], vector, top_k, restriction, mode, extra)
            results[i] = hits if sentence_queries is None else self._with_similarities(hits, sentence_queries[n])
        return results

    def accepted_rows(self, filters: Filters | None) -> np.ndarray | None:
        """The clause rows `filters` accepts, as a mask (None: all)."""
        if filters is None or filters.empty:
            return None
        accepted = np.asarray([filters.accepts(d) for d in self._stored.documents], dtype=bool)
        return accepted[self._stored.clauses.document_of_row]

    def _sentence_query_vectors(self, queries: list[str]) -> np.ndarray | None:
        """The neural model's vector of each query (None without the model or sentence vectors)."""
        if self._semantic is None or self._stored.semantic is None or not queries:
            return None
        return self._semantic.embed_queries(queries)

    def _semantic_ranking(self, query_vector: np.ndarray, depth: int, filters: Filters | None) -> tuple[list[int], list[float]]:
        assert self._stored.semantic is not None
        return self._stored.semantic.ranking(query_vector, depth, self.accepted_rows(filters))

    def _rewrite_ranking(self, rewrite: str, depth: int, restriction: Restriction) -> tuple[list[int], list[float]]:
        """Clause rows by the keyword search of the rewritten question: the documents' own terms are
        what an LLM rewrite adds, and BM25 is the ranking that rewards exact terms."""
        hits = self._search_one(rewrite, None, depth, restriction, "bm25", {})
        return [self._row_of(h.clause) for h in hits], [h.score for h in hits]

    def _with_similarities(self, hits: list[Hit], query_vector: np.ndarray) -> list[Hit]:
        """The hits, each with the question's similarity to its clause's sentences (in text order)."""
        store = self._stored.semantic
        assert store is not None
        return [replace(h, sentence_similarity=store.clause_sentences(query_vector, self._row_of(h.clause)))
                for h in hits]

    def _row_of(self, clause: Clause) -> int:
        row = self._stored.clauses.row_of(clause.clause_id)
        assert row is not None, "a hit of this index is a clause of it"
        return row

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
                    mode: str, extra: ExtraRankings) -> list[Hit]:
        """The hits of one query: the backend's own rankings and `extra`, fused by index.fusion."""
        raise NotImplementedError
