"""What both index backends share: the run of a batch of queries over one loaded index.

A backend supplies its catalogue (documents, clause records, statistics) and its rankings: how a
user's filter restricts its search (`_restriction`), the search of one query (`_search_one`), the
neural sentence ranking and the question's similarity to a hit's sentences. Rows are whatever the
backend addresses clauses by (a row number in the folder, a row key in Milvus); every ranking is
fused by index/fusion.ranked_hits, so the backends fuse alike.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from index.contract import MODES, SearchConfig
from index.embedders import Embedder
from index.filters import Filters
from index.scope import Scope, detect_scope
from index.semantic_store import best_per_sentence, fragment_sentences
from index.tokenize import expand_query
from policyqa.errors import IndexMismatchError, UserError
from policyqa.model import Clause, Document, Hit

if TYPE_CHECKING:
    from index.semantic import E5Embedder

Row = TypeVar("Row", bound=Hashable)  # a clause row number (FAISS backend), a row key (Milvus)
Restriction = TypeVar("Restriction")  # a row mask (FAISS backend), a filter expression (Milvus)

# Rankings a backend fuses besides its own, per query: name -> (clause rows best first, their scores)
ExtraRankings = dict[str, tuple[list, list[float]]]


class PhraseCounts:
    """"Do the documents mention this phrase, and in how many places?", asked of a text in memory."""

    def __init__(self, text: str | Callable[[], str]) -> None:
        self._text = text

    @property
    def text(self) -> str:
        if callable(self._text):
            self._text = self._text()
        return self._text

    def holds(self, phrase: str) -> bool:
        return phrase in self.text

    def count(self, phrase: str) -> int:
        return self.text.count(phrase)


class SearchBase(Generic[Row, Restriction]):
    """A loaded index: its query embedder, and search over many queries at once."""

    def __init__(self, embedder: Embedder, config: SearchConfig | None = None, notices: tuple[str, ...] = (),
                 semantic: E5Embedder | None = None) -> None:
        self._embedder = embedder
        self.config = config or SearchConfig()
        self.notices = notices
        self._dim_checked = False
        # the neural sentence model, when the index holds sentence vectors and the model runs here
        self._semantic = semantic

    @property
    def has_semantic(self) -> bool:
        """Whether hits carry the question's similarity to each sentence (the neural model ran)."""
        return self._semantic is not None

    @property
    def semantic_model(self) -> E5Embedder | None:
        """The neural sentence model the questions are embedded with (None: it does not run here)."""
        return self._semantic

    @property
    def generation(self) -> int:
        """0: a folder index is a new object when it is opened again."""
        return 0

    @property
    def documents(self) -> list[Document]:
        raise NotImplementedError

    @property
    def embedder_info(self) -> dict:
        raise NotImplementedError

    @property
    def embedder(self) -> Embedder:
        """The query embedder (reusable by eval for baselines over the same model)."""
        return self._embedder

    def search(self, query: str, top_k: int = 10, filters: Filters | None = None,
               mode: str = "hybrid", rewrite: str = "", scope: Scope | None = None) -> list[Hit]:
        """The top_k clauses for `query`, best first; filters apply before truncation. `rewrite`, the
        question in the documents' wording (from an LLM), is fused as one more ranking (hybrid only);
        `scope`, the region and years the question names, is preferred (detected when not given)."""
        return self.search_many([query], top_k, filters, mode, [rewrite], None if scope is None else [scope])[0]

    def search_many(self, queries: list[str], top_k: int = 10, filters: Filters | None = None,
                    mode: str = "hybrid", rewrites: Sequence[str] | None = None,
                    scopes: Sequence[Scope] | None = None) -> list[list[Hit]]:
        """`search` for many queries at once (query embeddings computed in one batch); `rewrites` and
        `scopes`, when given, hold one per query ("" for no rewrite)."""
        if mode not in MODES:
            raise UserError(f"未知的检索方式 {mode}（可选：{'、'.join(MODES)}）")
        if filters is not None and not filters.empty and not any(filters.accepts(d) for d in self.documents):
            return [[] for _ in queries]
        restriction = self._restriction(filters)
        live = [i for i, q in enumerate(queries) if q and q.strip()]
        vectors = self._query_vectors([queries[i] for i in live]) if mode != "bm25" and live else None
        sentence_queries = (self._semantic.embed_queries([queries[i] for i in live])
                            if self._semantic is not None and live else None)
        results: list[list[Hit]] = [[] for _ in queries]
        depth = max(top_k, self.config.candidates)
        for n, i in enumerate(live):
            vector = vectors[n] if vectors is not None else None
            extra: ExtraRankings = {}
            if sentence_queries is not None and mode == "hybrid" and self.config.semantic_weight:
                extra["semantic"] = self._semantic_ranking(sentence_queries[n], depth, restriction)
            rewrite = rewrites[i].strip() if rewrites else ""
            if rewrite and mode == "hybrid" and self.config.rewrite_weight:
                hits = self._search_one(rewrite, None, depth, restriction, "bm25", {}, Scope())
                extra["rewrite"] = [self._row_of(h.clause) for h in hits], [h.score for h in hits]
            scope = scopes[i] if scopes else detect_scope(queries[i], self.documents)
            hits = self._search_one(queries[i], vector, top_k, restriction, mode, extra, scope)
            if sentence_queries is not None and hits:
                similarities = self._fragment_similarities([self._row_of(h.clause) for h in hits], sentence_queries[n])
                hits = [replace(h, sentence_similarity=best_per_sentence(s, fragment_sentences(h.clause)))
                        for h, s in zip(hits, similarities, strict=True)]
            results[i] = hits
        return results

    def _query_vectors(self, queries: list[str]) -> np.ndarray:
        vectors = self._embedder.embed_queries([expand_query(q) for q in queries])
        if not self._dim_checked:
            expected = self.embedder_info.get("dim")
            if expected and vectors.shape[1] != expected:
                raise IndexMismatchError(f"查询向量维度 {vectors.shape[1]} 与索引维度 {expected} 不符；"
                                         "请运行 policyqa ingest 重建索引")
            self._dim_checked = True
        return vectors

    # -- what a backend supplies ----------------------------------------------------------------
    def _restriction(self, filters: Filters | None) -> Restriction:
        """How the backend restricts a search to the documents `filters` accepts."""
        raise NotImplementedError

    def _search_one(self, query: str, vector: np.ndarray | None, top_k: int, restriction: Restriction,
                    mode: str, extra: ExtraRankings, scope: Scope) -> list[Hit]:
        """The hits of one query: the backend's own rankings and `extra`, fused by index.fusion
        (which prefers the documents of `scope`)."""
        raise NotImplementedError

    def _row_of(self, clause: Clause) -> Row:
        """The row a hit's clause is addressed by."""
        raise NotImplementedError

    def _semantic_ranking(self, query_vector: np.ndarray, depth: int,
                          restriction: Restriction) -> tuple[list[Row], list[float]]:
        """Clause rows by their sentence most similar to the question (the neural model), best first."""
        raise NotImplementedError

    def _fragment_similarities(self, rows: list[Row], query_vector: np.ndarray) -> list[tuple[float, ...]]:
        """Per row, the question's cosine with each of its clause's sentence fragments, in text order."""
        raise NotImplementedError
