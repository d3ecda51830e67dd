"""Opening an index folder and searching it: BM25, dense, or both fused (the default)."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.bm25 import top_k_indices
from index.contract import SearchConfig
from index.feedback import combine, expansion_terms
from index.filters import Filters
from index.fusion import ranked_hits
from index.local_files import EMBEDDER_DIR, StoredIndex, read_index, read_manifest
from index.offline_embedder import OfflineEmbedder
from index.pieces import bm25_text
from index.query_models import query_embedder, sentence_model
from index.scope import Scope
from index.searching import ExtraRankings, PhraseCounts, SearchBase
from index.tokenize import tokenize, tokenize_query
from policyqa.config import Settings
from policyqa.model import Clause, Document, Hit

if TYPE_CHECKING:
    from index.embedders import Embedder
    from index.semantic import E5Embedder


class LocalIndex(SearchBase[int, "np.ndarray | None"]):
    """The embedded backend, loaded: FAISS for vectors, bm25s for keywords, sentence BM25, all in one
    folder (index/local_files.py); searched in this process."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, config: SearchConfig | None = None,
                 notices: tuple[str, ...] = (), semantic: E5Embedder | None = None) -> None:
        super().__init__(embedder, config, notices, semantic if stored.semantic is not None else None)
        self._stored = stored
        self._phrases = PhraseCounts(stored.corpus_text)

    @classmethod
    def open(cls, settings: Settings, config: SearchConfig | None = None) -> LocalIndex:
        """Load the index at settings.index_dir, refusing one built with another embedder."""
        folder = Path(settings.index_dir)
        info = read_manifest(folder).get("embedder", {})
        embedder, notice = query_embedder(info, settings, lambda: OfflineEmbedder.load(folder / EMBEDDER_DIR))
        stored = read_index(folder)
        semantic, semantic_notice = sentence_model(stored.semantic is not None, settings)
        notices = tuple(n for n in (notice, semantic_notice) if n)
        return cls(stored, embedder, config, notices, semantic)

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

    def phrases(self) -> PhraseCounts:
        """Every clause's judged text (index/pieces.py) as ingest stored it, asked for phrases."""
        return self._phrases

    @property
    def embedder_info(self) -> dict:
        return self._stored.embedder_info

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        row = self._stored.clauses.row_of(clause_id)
        return None if row is None else self._stored.clauses[row]

    def _restriction(self, filters: Filters | None) -> np.ndarray | None:
        """The clause rows `filters` accepts, as a mask (None: all)."""
        if filters is None or filters.empty:
            return None
        accepted = np.asarray([filters.accepts(d) for d in self._stored.documents], dtype=bool)
        return accepted[self._stored.clauses.document_of_row]

    def _row_of(self, clause: Clause) -> int:
        row = self._stored.clauses.row_of(clause.clause_id)
        assert row is not None, "a hit of this index is a clause of it"
        return row

    def _semantic_ranking(self, query_vector: np.ndarray, depth: int,
                          restriction: np.ndarray | None) -> tuple[list[int], list[float]]:
        assert self._stored.semantic is not None
        return self._stored.semantic.ranking(query_vector, depth, restriction)

    def _fragment_similarities(self, rows: list[int], query_vector: np.ndarray) -> list[tuple[float, ...]]:
        store = self._stored.semantic
        assert store is not None
        return [store.clause_fragments(query_vector, row) for row in rows]

    def _keyword_scores(self, query_tokens: tuple[str, ...], mask: np.ndarray | None) -> np.ndarray:
        """BM25 scores of every clause, with pseudo-relevance feedback when configured."""
        bm25 = self._stored.bm25
        first = bm25.scores(query_tokens, mask)
        config = self.config
        if not (config.feedback_clauses and config.feedback_terms and config.feedback_weight):
            return first
        best = top_k_indices(first, config.feedback_clauses)
        feedback = [(_clause_tokens(self._stored.clauses[row]), float(first[row])) for row in best]
        terms = expansion_terms(feedback, query_tokens, bm25.idf, config.feedback_terms)
        if not terms:
            return first
        return combine(first, bm25.weighted_scores(terms, mask), config.feedback_weight)

    def _search_one(self, query: str, vector: np.ndarray | None, top_k: int,
                    mask: np.ndarray | None, mode: str, extra: ExtraRankings, scope: Scope) -> list[Hit]:
        depth = max(top_k, self.config.candidates)
        rankings: dict[str, list[int]] = {}
        scores: dict[str, dict[int, float]] = {}
        if mode in ("hybrid", "bm25"):
            keyword = self._keyword_scores(tokenize_query(query), None if mask is None else mask.astype(np.float32))
            rows = top_k_indices(keyword, depth)
            values = keyword[rows]
            rankings["bm25"], scores["bm25"] = rows.tolist(), dict(zip(rows.tolist(), values.tolist(), strict=True))
        if mode in ("hybrid", "dense") and vector is not None:
            piece_mask = None if mask is None else mask[self._stored.dense.piece_rows]
            vector = self._stored.dense.feedback_vector(vector, self.config.feedback_clauses,
                                                        self.config.dense_feedback_weight, piece_mask)
            rows, values = self._stored.dense.search(vector, depth, piece_mask)
            keep = values > 0  # a zero cosine says nothing (no shared feature at all)
            rows, values = rows[keep], values[keep]
            rankings["dense"], scores["dense"] = rows.tolist(), dict(zip(rows.tolist(), values.tolist(), strict=True))
        sentences = self._stored.sentences
        if mode == "hybrid" and sentences is not None and self.config.sentence_weight:
            rows, values = sentences.search(tokenize_query(query), depth, mask)
            rankings["sentences"], scores["sentences"] = rows.tolist(), dict(zip(rows.tolist(), values.tolist(), strict=True))
        for name, (ranked, values) in extra.items():
            rankings[name], scores[name] = ranked, dict(zip(ranked, values, strict=True))
        table, documents = self._stored.clauses, self._stored.documents
        return ranked_hits(rankings, scores, lambda rows: [table[row] for row in rows],
                           lambda row: documents[int(table.document_of_row[row])], scope, mode=mode,
                           top_k=top_k, weights=self.config.fusion_weights, rrf_k=self.config.rrf_k,
                           scope_boost=self.config.scope_boost)


@lru_cache(maxsize=4096)
def _clause_tokens(clause: Clause) -> tuple[str, ...]:
    """The clause's BM25 tokens (re-cut on demand: the index keeps no token lists in memory)."""
    return tuple(tokenize(bm25_text(clause)))
