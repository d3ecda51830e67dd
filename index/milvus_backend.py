"""The Milvus backend, read side: the same hybrid search, run by Milvus, with nothing on local disk.

A query process reads the catalogue once (index/milvus_catalogue.py: documents, versions, token
statistics, the fitted offline embedder) and then only what it retrieves: hits come back from
Milvus as row keys, and their clause records are fetched by key. Its memory does not grow with the
number of clauses (it keeps a bounded number of documents' clauses and of clauses' sentence vectors).
Writers are in index/milvus_writer.py.

- Words: by default the text Milvus receives is already cut by our jieba (policy dictionary,
  stop words, aliases) and Milvus splits it at spaces (`POLICYQA_MILVUS_ANALYZER=jieba`), so BM25
  sees the same words on both backends; `milvus-jieba` and `chinese` give the raw text to Milvus's
  own analyzers instead (what a server-side pipeline without our code would do; neither takes our
  dictionary on Lite). README, "分词的差别", measures all three.
- Fusion is ours (index/fusion.ranked_hits), not Milvus's RRFRanker: we weight the rankings and
  prefer the region/year a question names, which an unweighted server-side RRF cannot do.
- "Do the documents mention this phrase?" is a `like` scan in Milvus; it counts the clauses that
  contain the phrase (the FAISS backend counts its occurrences).
- The keyword side's pseudo-relevance feedback re-scores Milvus's first-pass candidates here (its
  full-text search takes a text, not weighted terms); with Milvus's own analyzers there is none.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.bm25 import lucene_idf
from index.clause_table import ClauseRows
from index.contract import SearchConfig
from index.feedback import combine, expansion_terms, weighted_bm25
from index.filters import Filters
from index.fusion import ranked_hits
from index.milvus_catalogue import Catalogue, current_generation, read_catalogue
from index.milvus_store import (
    BM25_PARAMS,
    CLAUSES,
    PIECES,
    SEMANTIC,
    SENTENCES,
    Match,
    MilvusStore,
    clause_row,
    filter_expression,
    like_pattern,
)
from index.offline_embedder import OfflineEmbedder
from index.query_models import query_embedder, sentence_model
from index.scope import Scope
from index.searching import ExtraRankings, SearchBase
from index.tokenize import tokenize_query
from policyqa.config import Settings
from policyqa.errors import IndexMismatchError, IndexMissingError
from policyqa.model import Clause, Document, Hit

if TYPE_CHECKING:
    from index.embedders import Embedder
    from index.semantic import E5Embedder

log = logging.getLogger(__name__)

FEEDBACK_DEPTH = 4  # first-pass candidates the keyword feedback re-scores, per candidate kept
CACHED_DOCUMENTS = 64  # documents whose clauses a reader keeps (validity clauses, full passes)
# clause rows whose sentence-fragment vectors a reader keeps (a few KB each): the same clauses come
# back question after question, and fetching their vectors was a third of a Milvus search's time
CACHED_FRAGMENT_ROWS = 4096


class MilvusPhrases:
    """"Do the documents mention this phrase?", asked of Milvus (the clauses holding it, by `like`)."""

    def __init__(self, store: MilvusStore) -> None:
        self._store = store

    def holds(self, phrase: str) -> bool:
        return self.count(phrase) > 0

    def count(self, phrase: str) -> int:
        return self._store.clauses_holding(phrase) if phrase else 0


class MilvusClauses(ClauseRows):
    """Every clause of the catalogue, by row (document after document, in catalogue order), read from
    Milvus a document at a time."""

    def __init__(self, documents: list[Document], counts: dict[str, int],
                 read_document: Callable[[str], Sequence[Clause]]) -> None:
        self._documents = documents
        self._read = read_document
        self._starts = np.cumsum([0, *(counts.get(d.doc_id, 0) for d in documents)])

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _clause_at(self, row: int) -> Clause:
        position = int(np.searchsorted(self._starts, row, side="right")) - 1
        return self._read(self._documents[position].doc_id)[row - int(self._starts[position])]

    def __iter__(self) -> Iterator[Clause]:
        for document in self._documents:
            yield from self._read(document.doc_id)


class MilvusIndex(SearchBase[str, str]):
    """The Milvus backend, loaded: the catalogue read from Milvus, every search and record in Milvus."""

    def __init__(self, store: MilvusStore, catalogue: Catalogue, embedder: Embedder,
                 config: SearchConfig | None = None, notices: tuple[str, ...] = (),
                 semantic: E5Embedder | None = None) -> None:
        super().__init__(embedder, config, notices, semantic)
        self._store = store
        self._phrases = MilvusPhrases(store)
        self._fragments_lock = threading.Lock()
        self._show(catalogue)

    def _show(self, catalogue: Catalogue) -> None:
        """Answer from `catalogue` (the one read at open, or a newer one a writer published since)."""
        self._catalogue = catalogue
        self._by_id = catalogue.documents_by_id()
        self._document_clauses = lru_cache(maxsize=CACHED_DOCUMENTS)(self._read_document)
        self._clauses = MilvusClauses(catalogue.documents, catalogue.clause_counts, self._document_clauses)
        # row -> its fragments' vectors (None: it has none), oldest fetched first
        self._fragments: dict[str, np.ndarray | None] = {}

    @property
    def generation(self) -> int:
        """The catalogue generation this index answers from (changes when it follows a writer)."""
        return self._catalogue.generation

    def follow_writers(self) -> bool:
        """Take up the catalogue a writer published since (True when there was one), with the offline
        embedder's new fit when it was refitted. An index rebuilt with another embedding model is
        not followed (the process must restart: it says so)."""
        if current_generation(self._store) == self._catalogue.generation:
            return False
        newer = read_catalogue(self._store)
        if newer is None or newer.generation == self._catalogue.generation:
            return False
        if newer.manifest.get("embedder") != self._catalogue.manifest.get("embedder"):
            log.warning("Milvus 中的索引已换用另一种嵌入模型重建；请重启本服务以使用它")
            return False
        if newer.embedder_files != self._catalogue.embedder_files:
            self._embedder = OfflineEmbedder.from_files(newer.embedder_files)
        self._show(newer)
        return True

    def search_many(self, queries: list[str], top_k: int = 10, filters: Filters | None = None,
                    mode: str = "hybrid", rewrites: Sequence[str] | None = None,
                    scopes: Sequence[Scope] | None = None) -> list[list[Hit]]:
        """As for every backend, from the newest catalogue a writer published."""
        self.follow_writers()
        return super().search_many(queries, top_k, filters, mode, rewrites, scopes)

    @classmethod
    def open(cls, settings: Settings, config: SearchConfig | None = None) -> MilvusIndex:
        """Open the index the configured Milvus holds (read only: a reader never writes)."""
        store = MilvusStore.for_settings(settings)
        try:
            catalogue = read_catalogue(store)
            if catalogue is None:
                raise IndexMissingError(f"Milvus（{store.uri}）中还没有索引；请先运行 "
                                        "POLICYQA_INDEX_BACKEND=milvus policyqa ingest 建立")
            analyzer = store.analyzed_by()
            if analyzer != store.analyzer:
                raise IndexMismatchError(f"Milvus（{store.uri}）中的索引按“{analyzer}”分词，当前配置为“{store.analyzer}”；"
                                         f"请设置 POLICYQA_MILVUS_ANALYZER={analyzer}，或用当前配置运行 "
                                         "POLICYQA_INDEX_BACKEND=milvus policyqa ingest 重建")
            info = catalogue.manifest.get("embedder", {})
            embedder, notice = query_embedder(info, settings, lambda: OfflineEmbedder.from_files(catalogue.embedder_files))
            held = store.client.has_collection(SEMANTIC) and bool(catalogue.manifest.get("semantic", {}).get("dim"))
            semantic, semantic_notice = sentence_model(held, settings)
        except BaseException:
            store.close()
            raise
        notices = tuple(n for n in (notice, semantic_notice) if n)
        return cls(store, catalogue, embedder, config, notices, semantic)

    # -- the catalogue --------------------------------------------------------------------------
    @property
    def documents(self) -> list[Document]:
        return list(self._catalogue.documents)

    @property
    def clauses(self) -> Sequence[Clause]:
        """Every clause, row by row (read from Milvus a document at a time)."""
        return self._clauses

    def clauses_of(self, doc_id: str) -> list[Clause]:
        """A document's clauses, in order."""
        return list(self._document_clauses(doc_id)) if doc_id in self._by_id else []

    def document_frequencies(self) -> dict[str, int]:
        """Per jieba token, how many clauses hold it (computed at ingest)."""
        return self._catalogue.document_frequencies

    def phrases(self) -> MilvusPhrases:
        return self._phrases

    @property
    def embedder_info(self) -> dict:
        return dict(self._catalogue.manifest.get("embedder", {}))

    def clause(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        rows = self._store.client.query(CLAUSES, filter=f"row_id like {like_pattern(clause_id + '@', start_only=True)}",
                                        output_fields=["record", "doc_id", "version"])
        for row in rows:
            record = json.loads(row["record"])
            if record["clause_id"] == clause_id and self._catalogue.versions.get(row["doc_id"]) == row["version"]:
                return Clause.from_json(record, self._by_id[row["doc_id"]])
        return None

    def _read_document(self, doc_id: str) -> tuple[Clause, ...]:
        rows = self._store.document_rows(CLAUSES, doc_id, self._catalogue.versions[doc_id], ["record"])
        document = self._by_id[doc_id]
        return tuple(Clause.from_json(json.loads(r["record"]), document) for r in sorted(rows, key=lambda r: r["n"]))

    # -- searching ------------------------------------------------------------------------------
    def _restriction(self, filters: Filters | None) -> str:
        """The Milvus filter expression for `filters` ("" for none)."""
        return filter_expression(filters, self._catalogue.documents)

    def _row_of(self, clause: Clause) -> str:
        return clause_row(clause.clause_id, self._catalogue.versions[clause.doc.doc_id])

    def _search_one(self, query: str, vector: np.ndarray | None, top_k: int, expression: str,
                    mode: str, extra: ExtraRankings, scope: Scope) -> list[Hit]:
        depth = max(top_k, self.config.candidates)
        text = self._store.query_text(query)
        versions = self._catalogue.versions
        found: dict[str, list[Match]] = {}
        if mode in ("hybrid", "bm25"):
            found["bm25"] = self._keyword(query, text, depth, expression)
        if mode in ("hybrid", "dense") and vector is not None:
            found["dense"] = [m for m in self._store.nearest(PIECES, vector, depth, expression, versions) if m.score > 0]
        if mode == "hybrid" and self.config.sentence_weight:
            found["sentences"] = self._store.keyword(SENTENCES, text, depth, expression, versions)
        rankings = {name: [m.row for m in matches] for name, matches in found.items()}
        scores = {name: {m.row: m.score for m in matches} for name, matches in found.items()}
        for name, (ranked, values) in extra.items():
            rankings[name], scores[name] = ranked, dict(zip(ranked, values, strict=True))
        # the fusion needs each row's document (the searches return it) and the records of the rows
        # it returns only: a row only another ranking found is read now, the rest when returned
        document_of = {m.row: m.doc_id for matches in found.values() for m in matches}
        records = self._store.records(row for ranked in rankings.values() for row in ranked if row not in document_of)
        document_of.update((row, record["doc_id"]) for row, record in records.items())
        rankings = {name: [row for row in ranked if row in document_of] for name, ranked in rankings.items()}

        def clauses_of(rows: list[str]) -> list[Clause | None]:
            records.update(self._store.records(row for row in rows if row not in records))
            return [Clause.from_json(records[row], self._by_id[records[row]["doc_id"]]) if row in records else None
                    for row in rows]

        return ranked_hits(rankings, scores, clauses_of, lambda row: self._by_id[document_of[row]],
                           scope, mode=mode, top_k=top_k,
                           weights=self.config.fusion_weights, rrf_k=self.config.rrf_k,
                           scope_boost=self.config.scope_boost)

    def _keyword(self, query: str, text: str, depth: int, expression: str) -> list[Match]:
        """Clause rows by BM25, with pseudo-relevance feedback as on the FAISS backend (index/feedback.py)
        where Milvus holds our words: Milvus's full-text search takes no weighted terms, so the
        expansion re-scores the first pass's candidates here, from the words Milvus returns with them."""
        config = self.config
        feedback = (config.feedback_clauses and config.feedback_terms and config.feedback_weight
                    and self._store.analyzer == "jieba")
        # the expansion can raise a clause the words barely match: re-score a deeper first pass
        first = self._store.keyword(CLAUSES, text, depth * FEEDBACK_DEPTH if feedback else depth, expression,
                                    self._catalogue.versions, with_tokens=bool(feedback))
        if not feedback or not first:
            return first
        frequencies, size = self._catalogue.document_frequencies, self._catalogue.clause_count

        def idf(term: str) -> float:
            return lucene_idf(frequencies.get(term, 0), size)

        best = [(m.tokens, m.score) for m in first[:config.feedback_clauses]]
        terms = expansion_terms(best, tokenize_query(query), idf, config.feedback_terms)
        if not terms:
            return first
        original = np.asarray([m.score for m in first], dtype=np.float32)
        expansion = weighted_bm25([m.tokens for m in first], terms, idf, self._catalogue.average_length,
                                  BM25_PARAMS["bm25_k1"], BM25_PARAMS["bm25_b"])
        fused = combine(original, expansion, config.feedback_weight)
        order = sorted(range(len(first)), key=lambda n: -fused[n])  # stable: ties keep Milvus's order
        return [first[n]._replace(score=float(fused[n])) for n in order if fused[n] > 0][:depth]

    def _semantic_ranking(self, query_vector: np.ndarray, depth: int, expression: str) -> tuple[list[str], list[float]]:
        found = self._store.nearest(SEMANTIC, query_vector, depth, expression, self._catalogue.versions)
        return [m.row for m in found], [m.score for m in found]

    def _fragment_similarities(self, rows: list[str], query_vector: np.ndarray) -> list[tuple[float, ...]]:
        vectors = self._fragment_vectors(rows)
        query = query_vector.astype(np.float32)
        return [() if (found := vectors[row]) is None else tuple(float(x) for x in found @ query) for row in rows]

    def _fragment_vectors(self, rows: list[str]) -> dict[str, np.ndarray | None]:
        """Row -> its fragments' vectors (None: it has none), fetched from Milvus only for rows not
        kept from an earlier search. A row key names one version of its clause, so what is kept
        cannot go stale."""
        with self._fragments_lock:
            kept = {row: self._fragments[row] for row in rows if row in self._fragments}
        missing = [row for row in dict.fromkeys(rows) if row not in kept]
        if missing:
            fetched = self._store.fragment_vectors(missing)
            with self._fragments_lock:
                for row in missing:
                    kept[row] = self._fragments[row] = fetched.get(row)
                while len(self._fragments) > CACHED_FRAGMENT_ROWS:
                    del self._fragments[next(iter(self._fragments))]
        return kept
