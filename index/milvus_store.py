"""Milvus's side of the Milvus backend: the collections, their synchronisation, the searches.

Collections (prefixed, so one server can hold other data): clauses and sentences (BM25 text made
into sparse vectors by Milvus's own BM25 function), pieces (dense vectors), documents (the hash of
each document whose rows are complete, written last). Filters are expressions built here, escaped.
See index/milvus_backend.py for how a search uses them.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.filters import Filters, region_stem
from index.local_files import StoredIndex
from index.pieces import bm25_text
from index.sentences import clause_sentences
from index.tokenize import expand_query, to_simplified, tokenize, tokenize_query
from policyqa.config import Settings
from policyqa.errors import UserError
from policyqa.model import Document

log = logging.getLogger(__name__)

CLAUSES = "policyqa_clauses"
PIECES = "policyqa_pieces"
SENTENCES = "policyqa_sentences"
DOCUMENTS = "policyqa_documents"  # one row per document and its hash, written last: what was synced
LITE_FILE = "milvus.db"
LITE_VERSION = "2.5."  # the C++ Milvus 2.5 core; 3.x is a Python rewrite that scores BM25 wrongly
ANALYZERS: dict[str, dict[str, str]] = {"jieba": {"tokenizer": "whitespace"}, "chinese": {"type": "chinese"}}
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's "lucene" defaults, as the FAISS backend uses
MAX_TEXT_BYTES = 60_000  # VARCHAR holds 65,535 bytes; a longer clause is searched by its start
BATCH = 1000


def milvus_uri(settings: Settings) -> str:
    """The configured URI, or Milvus Lite's file inside the index folder."""
    return settings.milvus_uri or str(Path(settings.index_dir) / LITE_FILE)


def is_lite(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "unix:"))


def check_lite_version() -> None:
    """Refuse a milvus-lite other than 2.5.x: 3.x returns negative BM25 scores and ignores filters."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("milvus-lite")
    except PackageNotFoundError:
        raise UserError("未安装 milvus-lite；请 pip install 'milvus-lite==2.5.1' pymilvus") from None
    if not found.startswith(LITE_VERSION):
        raise UserError(f"milvus-lite {found} 与本程序不兼容（需要 2.5.x，3.x 的 BM25 分数为负）；"
                        "请 pip install 'milvus-lite==2.5.1'")


def quoted(value: str) -> str:
    """A string literal for a Milvus filter expression (backslashes and quotes escaped)."""
    return json.dumps(value, ensure_ascii=False)


def filter_expression(filters: Filters | None, documents: list[Document]) -> str:
    """The Milvus filter for `filters`: regions as the documents write them (a stem such as
    "乐清" matches "乐清市"), years, document ids, statuses; "" for no filter."""
    if filters is None or filters.empty:
        return ""
    parts = []
    if filters.regions:
        stems = {region_stem(r) for r in filters.regions}
        regions = sorted({d.region for d in documents if region_stem(d.region) in stems} or set(filters.regions))
        parts.append(f"region in [{', '.join(quoted(r) for r in regions)}]")
    if filters.years:
        parts.append(f"year in [{', '.join(str(int(y)) for y in sorted(set(filters.years)))}]")
    if filters.doc_ids:
        parts.append(f"doc_id in [{', '.join(quoted(d) for d in sorted(set(filters.doc_ids)))}]")
    if filters.statuses:
        parts.append(f"status in [{', '.join(quoted(s) for s in sorted(set(filters.statuses)))}]")
    return " and ".join(parts)


def _clipped(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= MAX_TEXT_BYTES else data[:MAX_TEXT_BYTES].decode("utf-8", errors="ignore")


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


@dataclass(frozen=True)
class SyncReport:
    """What one synchronisation changed in Milvus."""

    written: tuple[str, ...]  # documents whose rows were (re)written
    removed: tuple[str, ...]  # documents whose rows were deleted


class MilvusStore:
    """The three collections on one Milvus (Lite file or server); created on first use."""

    def __init__(self, uri: str, token: str = "", analyzer: str = "jieba") -> None:
        if analyzer not in ANALYZERS:
            raise UserError(f"未知的 Milvus 分词方式 {analyzer!r}（可选：{'、'.join(ANALYZERS)}）")
        self.analyzer = analyzer
        if is_lite(uri):
            check_lite_version()
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            from pymilvus import MilvusClient
        except ImportError:
            raise UserError("未安装 pymilvus；请 pip install -e '.[milvus]'") from None

        # set after pymilvus configures its loggers: it warns on every query iterator that Lite
        # gives it no server timestamp, which is expected
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        self.uri = uri
        try:
            self.client = MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
        except Exception as error:  # noqa: BLE001 - any failure to reach Milvus is the user's setting
            raise UserError(f"无法连接 Milvus（{uri}）：{type(error).__name__}: {error}") from error

    @classmethod
    def for_settings(cls, settings: Settings) -> MilvusStore:
        return cls(milvus_uri(settings), settings.milvus_token, settings.milvus_analyzer)

    def close(self) -> None:
        """Disconnect; for Lite also stop its embedded server, which holds the file locked (another
        process, such as `policyqa serve` after `policyqa ingest`, could not open it otherwise)."""
        self.client.close()
        if is_lite(self.uri):
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self.uri)

    # -- schema -------------------------------------------------------------------------------
    def _text_collection(self, name: str, key: str) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False, description=self.analyzer)
        schema.add_field(key, DataType.VARCHAR, is_primary=True, max_length=256)
        schema.add_field("clause_id", DataType.VARCHAR, max_length=256)
        schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                         analyzer_params=ANALYZERS[self.analyzer])
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        self._scope_fields(schema)
        schema.add_function(Function(name=f"{name}_bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        index = self.client.prepare_index_params()
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
        self.client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")

    @staticmethod
    def _scope_fields(schema: Any) -> None:
        from pymilvus import DataType

        schema.add_field("doc_id", DataType.VARCHAR, max_length=256)
        schema.add_field("region", DataType.VARCHAR, max_length=128)
        schema.add_field("year", DataType.INT64)
        schema.add_field("status", DataType.VARCHAR, max_length=32)
        schema.add_field("content_hash", DataType.VARCHAR, max_length=128)

    def _piece_collection(self, dim: int, embedder_name: str) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False, description=embedder_name)
        schema.add_field("piece_id", DataType.VARCHAR, is_primary=True, max_length=256)
        schema.add_field("clause_id", DataType.VARCHAR, max_length=256)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        self._scope_fields(schema)
        index = self.client.prepare_index_params()
        # Lite searches by brute force whatever is declared; a server gets HNSW
        index.add_index("dense", index_type="FLAT" if is_lite(self.uri) else "HNSW", metric_type="IP",
                        params={} if is_lite(self.uri) else {"M": 16, "efConstruction": 200})
        self.client.create_collection(PIECES, schema=schema, index_params=index, consistency_level="Strong")

    def _ensure_collections(self, dim: int, embedder_name: str) -> None:
        """Create what is missing; start over when the vectors were made by another embedder or the
        text was cut by another analyzer."""
        if self.client.has_collection(PIECES):
            described = self.client.describe_collection(PIECES)
            dims = [f.get("params", {}).get("dim") for f in described.get("fields", []) if f.get("name") == "dense"]
            analyzer = (self.client.describe_collection(CLAUSES).get("description")
                        if self.client.has_collection(CLAUSES) else self.analyzer)
            if described.get("description") != embedder_name or (dims and int(dims[0]) != dim) \
                    or analyzer != self.analyzer:
                log.info("Milvus：嵌入模型或分词方式已变（%s，%s），重建全部集合", embedder_name, self.analyzer)
                for name in (PIECES, CLAUSES, SENTENCES, DOCUMENTS):
                    self.client.drop_collection(name)
        if not self.client.has_collection(PIECES):
            self._piece_collection(dim, embedder_name)
        if not self.client.has_collection(CLAUSES):
            self._text_collection(CLAUSES, "row_id")
        if not self.client.has_collection(SENTENCES):
            self._text_collection(SENTENCES, "row_id")
        if not self.client.has_collection(DOCUMENTS):
            self._document_collection()

    def _document_collection(self) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("doc_id", DataType.VARCHAR, is_primary=True, max_length=256)
        schema.add_field("content_hash", DataType.VARCHAR, max_length=128)
        schema.add_field("marker", DataType.FLOAT_VECTOR, dim=2)  # Milvus requires a vector field
        index = self.client.prepare_index_params()
        index.add_index("marker", index_type="FLAT", metric_type="L2")
        self.client.create_collection(DOCUMENTS, schema=schema, index_params=index, consistency_level="Strong")

    # -- writing ------------------------------------------------------------------------------
    def document_hashes(self) -> dict[str, str]:
        """doc_id -> content hash of the documents whose rows Milvus holds completely."""
        if not self.client.has_collection(DOCUMENTS):
            return {}
        found: dict[str, str] = {}
        iterator = self.client.query_iterator(DOCUMENTS, batch_size=BATCH, filter='doc_id != ""',
                                              output_fields=["doc_id", "content_hash"])
        while batch := iterator.next():
            found.update({row["doc_id"]: row["content_hash"] for row in batch})
        iterator.close()
        return found

    def in_step_with(self, manifest: dict[str, Any]) -> bool:
        """True when Milvus already holds exactly the documents of the folder's manifest (cheap)."""
        info = manifest.get("embedder", {})
        self._ensure_collections(int(info.get("dim") or 0), f"{info.get('kind')}:{info.get('model')}")
        return self.document_hashes() == file_hashes(manifest)

    def sync(self, stored: StoredIndex) -> SyncReport:
        """Make Milvus hold exactly the clauses of `stored`: rewrite changed documents, drop removed ones."""
        info = stored.embedder_info
        dim = int(info.get("dim") or stored.dense.dim)
        self._ensure_collections(dim, f"{info.get('kind')}:{info.get('model')}")
        held = self.document_hashes()
        wanted = file_hashes(stored.manifest)
        stale = sorted(d for d in held if d not in wanted or held[d] != wanted[d])
        fresh = sorted(d for d in wanted if held.get(d) != wanted[d])
        for doc_id in sorted(set(stale) | set(fresh)):  # a document half-written before is cleared too
            for name in (DOCUMENTS, CLAUSES, PIECES, SENTENCES):
                self.client.delete(name, filter=f"doc_id == {quoted(doc_id)}")
        if fresh:
            self._insert(stored, set(fresh))
            self.client.insert(DOCUMENTS, [{"doc_id": d, "content_hash": wanted[d], "marker": [0.0, 0.0]}
                                           for d in fresh])
        return SyncReport(tuple(fresh), tuple(d for d in stale if d not in wanted))

    def _insert(self, stored: StoredIndex, doc_ids: set[str]) -> None:
        rows = [row for row, clause in enumerate(stored.clauses) if clause.doc.doc_id in doc_ids]
        clause_rows, sentence_rows, piece_rows = [], [], []
        for row in rows:
            clause = stored.clauses[row]
            scope = _scope(clause.doc)
            clause_rows.append({"row_id": clause.clause_id, "clause_id": clause.clause_id,
                                "text": _clipped(self.index_text(bm25_text(clause))), **scope})
            for n, sentence in enumerate(clause_sentences(clause)):
                sentence_rows.append({"row_id": f"{clause.clause_id}#{n}", "clause_id": clause.clause_id,
                                      "text": _clipped(self.index_text(sentence)), **scope})
        wanted = np.isin(stored.dense.piece_rows, rows)
        pieces = np.flatnonzero(wanted)
        vectors = stored.dense.vectors_of(pieces) if len(pieces) else np.zeros((0, stored.dense.dim))
        seen: dict[str, int] = {}
        for piece, vector in zip(pieces.tolist(), vectors, strict=True):
            clause = stored.clauses[int(stored.dense.piece_rows[piece])]
            n = seen[clause.clause_id] = seen.get(clause.clause_id, -1) + 1
            piece_rows.append({"piece_id": f"{clause.clause_id}#{n}", "clause_id": clause.clause_id,
                               "dense": vector.astype(np.float32).tolist(), **_scope(clause.doc)})
        for name, data in ((CLAUSES, clause_rows), (SENTENCES, sentence_rows), (PIECES, piece_rows)):
            for batch in _batches(data):
                self.client.insert(name, batch)

    def index_text(self, text: str) -> str:
        """What Milvus analyses: our jieba words joined by spaces, or the text itself."""
        return " ".join(tokenize(text)) if self.analyzer == "jieba" else to_simplified(text)

    def query_text(self, query: str) -> str:
        """The query as Milvus should analyse it (aliases added, as on the FAISS backend)."""
        return " ".join(tokenize_query(query)) if self.analyzer == "jieba" else to_simplified(expand_query(query))

    # -- searching ----------------------------------------------------------------------------
    def keyword(self, collection: str, text: str, limit: int, expression: str) -> list[tuple[str, float]]:
        """(clause_id, BM25 score) best first; for sentences, each clause once with its best sentence."""
        if not text.strip() or limit <= 0:
            return []
        fetch = limit * 4 if collection == SENTENCES else limit
        result = self.client.search(collection, data=[text], anns_field="sparse", limit=min(fetch, 16384),
                                    filter=expression, output_fields=["clause_id"],
                                    search_params={"metric_type": "BM25"})
        return _best_per_clause(result[0], limit)

    def dense(self, vector: np.ndarray, limit: int, expression: str) -> list[tuple[str, float]]:
        """(clause_id, cosine) of the clauses with the nearest pieces, each clause once, best first."""
        result = self.client.search(PIECES, data=[vector.astype(np.float32).tolist()], anns_field="dense",
                                    limit=min(limit * 3, 16384), filter=expression, output_fields=["clause_id"],
                                    search_params={"metric_type": "IP"})
        return _best_per_clause(result[0], limit)

    def count(self, collection: str) -> int:
        rows = self.client.query(collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0


def file_hashes(manifest: dict[str, Any]) -> dict[str, str]:
    """doc_id -> the sha256 of its file, as the folder's manifest records them, with the index
    format: a new format changes what is indexed of an unchanged file, so it is rewritten."""
    version = manifest.get("format_version")
    return {entry["doc_id"]: f"{entry['content_hash']}:v{version}" for entry in manifest.get("files", {}).values()}


def _scope(doc: Document) -> dict[str, Any]:
    return {"doc_id": doc.doc_id, "region": doc.region, "year": int(doc.year or 0), "status": doc.status,
            "content_hash": doc.content_hash or ""}


def _best_per_clause(hits: Iterable[dict[str, Any]], limit: int) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for hit in hits:
        clause_id = hit["entity"]["clause_id"]
        if clause_id not in best:  # hits come best first
            best[clause_id] = float(hit["distance"])
    return list(best.items())[:limit]
