"""The Milvus backend: the same hybrid search, run by Milvus (Lite from a file path, or a server).

What lives where:
- Milvus holds what is searched: one row per clause (its BM25 text, made into a sparse BM25
  vector by Milvus itself; region, year, doc_id, status, content hash), one row per embedded
  piece (its dense vector) and one per sentence (BM25 again: the sentence ranking). Filters run in
  Milvus as filter expressions built here, escaped. BM25 uses bm25s's constants (k1 1.5, b 0.75).
- Words: by default the text Milvus receives is already cut by our jieba (policy dictionary,
  stop words, aliases) and Milvus splits it at spaces (`POLICYQA_MILVUS_ANALYZER=jieba`), so BM25
  sees the same words on both backends; `chinese` gives the raw text to Milvus's own Chinese
  analyzer instead (what a server-side pipeline without our code would do; it takes no custom
  dictionary on Lite). The eval measures both.
- The index folder keeps the catalogue the answer layer reads (documents, clause records, the
  fitted offline embedder, token statistics): the same files the FAISS backend writes, built by
  the same incremental ingest, so both backends answer from identical clauses.
- Fusion is ours (index/fusion.ranked_hits), not Milvus's RRFRanker: we weight the three
  rankings (BM25 0.5, dense 1.0, sentences 1.0) and prefer the region/year a question names, which
  an unweighted server-side RRF cannot do.

Not on Milvus: the keyword side's pseudo-relevance feedback (Milvus's full-text search takes a
text, not weighted terms). `policyqa eval --backend milvus` measures what that costs.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.backend import SearchConfig
from index.catalogue import CatalogueIndex, ExtraRankings
from index.embedders import Embedder
from index.filters import Filters
from index.fusion import ranked_hits
from index.local_files import StoredIndex, read_index, read_manifest
from index.milvus_store import CLAUSES, SENTENCES, MilvusStore, SyncReport, file_hashes, filter_expression
from policyqa.config import Settings
from policyqa.errors import IndexMismatchError
from policyqa.model import Hit

if TYPE_CHECKING:
    from index.semantic import E5Embedder

log = logging.getLogger(__name__)


def held_documents(settings: Settings) -> int:
    """How many documents the configured Milvus holds completely (0 for an empty or new store)."""
    store = MilvusStore.for_settings(settings)
    try:
        return len(store.document_hashes())
    finally:
        store.close()


def sync_index(settings: Settings) -> SyncReport:
    """After an ingest into the index folder: bring Milvus to the same clauses."""
    folder = Path(settings.index_dir)
    store = MilvusStore.for_settings(settings)
    try:
        # the whole catalogue is read only when something is to be written
        report = (SyncReport((), ()) if store.in_step_with(read_manifest(folder))
                  else store.sync(read_index(folder)))
    finally:
        store.close()
    log.info("Milvus（%s）：写入 %d 份文件，移除 %d 份", store.uri, len(report.written), len(report.removed))
    return report


class MilvusIndex(CatalogueIndex[str]):
    """The Milvus backend, loaded: the catalogue from the index folder, every search in Milvus."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, store: MilvusStore,
                 config: SearchConfig | None = None, notices: tuple[str, ...] = (),
                 semantic: E5Embedder | None = None) -> None:
        super().__init__(stored, embedder, config, notices, semantic)
        self._store = store

    @classmethod
    def open(cls, settings: Settings, config: SearchConfig | None = None) -> MilvusIndex:
        """Open the catalogue at settings.index_dir and the Milvus it was synchronised to."""
        from index.local_backend import query_embedder, sentence_model  # the FAISS backend's rules

        folder = Path(settings.index_dir)
        info = read_manifest(folder).get("embedder", {})
        embedder, notice = query_embedder(info, settings, folder)
        stored = read_index(folder)
        store = MilvusStore.for_settings(settings)
        if not store.client.has_collection(CLAUSES) or store.document_hashes() != file_hashes(stored.manifest) \
                or store.client.describe_collection(CLAUSES).get("description") != store.analyzer:
            raise IndexMismatchError(f"Milvus（{store.uri}）与索引文件夹 {folder} 不一致；请运行 "
                                     "POLICYQA_INDEX_BACKEND=milvus policyqa ingest 同步")
        semantic, semantic_notice = sentence_model(stored, settings)
        notices = tuple(n for n in (notice, semantic_notice) if n)
        return cls(stored, embedder, store, config, notices, semantic)

    def _restriction(self, filters: Filters | None) -> str:
        """The Milvus filter expression for `filters` ("" for none)."""
        return filter_expression(filters, self._stored.documents)

    def _search_one(self, query: str, vector: np.ndarray | None, top_k: int, expression: str,
                    mode: str, extra: ExtraRankings) -> list[Hit]:
        depth = max(top_k, self.config.candidates)
        text = self._store.query_text(query)
        found: dict[str, list[tuple[str, float]]] = {}
        if mode in ("hybrid", "bm25"):
            found["bm25"] = self._store.keyword(CLAUSES, text, depth, expression)
        if mode in ("hybrid", "dense") and vector is not None:
            found["dense"] = [(c, s) for c, s in self._store.dense(vector, depth, expression) if s > 0]
        if mode == "hybrid" and self.config.sentence_weight:
            found["sentences"] = self._store.keyword(SENTENCES, text, depth, expression)
        row_of = {c: self._stored.clauses.row_of(c) for pairs in found.values() for c, _ in pairs}
        rows = {c: row for c, row in row_of.items() if row is not None}
        rankings = {name: [rows[c] for c, _ in pairs if c in rows] for name, pairs in found.items()}
        scores = {name: {rows[c]: s for c, s in pairs if c in rows} for name, pairs in found.items()}
        for name, (ranked, values) in extra.items():  # computed over the catalogue (the sentence vectors)
            rankings[name], scores[name] = ranked, dict(zip(ranked, values, strict=True))
        return ranked_hits(rankings, scores, self._stored.clauses, self._stored.documents, query, mode=mode,
                           top_k=top_k, weights=self.config.fusion_weights, rrf_k=self.config.rrf_k,
                           scope_boost=self.config.scope_boost)
