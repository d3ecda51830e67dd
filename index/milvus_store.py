"""Milvus's side of the Milvus backend: the collections, how a writer fills them, what a reader asks.

Milvus is the store of record: a query process reads everything from it. Collections (prefixed, so
one server can hold other data), one row per
- clause: its BM25 text (made into a sparse BM25 vector by Milvus itself), its record (the clause
  as `policyqa clauses --json` gives it), its judged text (what "do the documents mention this?"
  is asked of, by `like`), its position in its document;
- embedded piece (the dense vector), sentence (BM25 again: the sentence ranking) and, when the
  neural model ran at ingest, sentence vector;
- catalogue chunk (index/milvus_catalogue.py: documents, statistics, the fitted offline embedder).
Every data row carries its document's id, region, year, status (filters run in Milvus as escaped
expressions) and its document's version: rows are keyed by clause id and version, so a changed
document's new rows are written beside the old ones, the catalogue then names the new version, and
only after that are the old rows deleted. A reader keeps only the rows of the versions its
catalogue names: it sees the old or the new state of a document, never a mix.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from index.atomic import held_lock
from index.filters import Filters, region_stem
from index.local_files import StoredIndex
from index.pieces import bm25_text, judged_text
from index.sentences import clause_sentences
from index.tokenize import expand_query, to_simplified, tokenize, tokenize_query
from policyqa.config import Settings
from policyqa.errors import IndexMissingError, UserError
from policyqa.model import Clause, Document

log = logging.getLogger(__name__)

CLAUSES = "policyqa_clauses"
PIECES = "policyqa_pieces"
SENTENCES = "policyqa_sentences"
SEMANTIC = "policyqa_semantic"  # the neural model's sentence vectors (when it ran at ingest)
CATALOGUE = "policyqa_catalogue"
LOCKS = "policyqa_locks"
DATA = (CLAUSES, PIECES, SENTENCES, SEMANTIC)  # the collections with a row per clause, piece or sentence
LITE_FILE = "milvus.db"
LITE_VERSION = "2.5."  # the C++ Milvus 2.5 core; 3.x is a Python rewrite that scores BM25 wrongly
# "jieba": our jieba words (policy dictionary, stop words, aliases), split by Milvus at spaces;
# "milvus-jieba": the raw text to Milvus's own jieba tokenizer (Lite 2.5.1 takes no custom
# dictionary: inserting into a field whose jieba has one fails); "chinese": Milvus's Chinese analyzer
ANALYZERS: dict[str, dict[str, str]] = {"jieba": {"tokenizer": "whitespace"}, "milvus-jieba": {"tokenizer": "jieba"},
                                        "chinese": {"type": "chinese"}}
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's "lucene" defaults, as the FAISS backend uses
MAX_TEXT_BYTES = 60_000  # VARCHAR holds 65,535 bytes; a longer clause is searched by its start
BATCH = 1000
QUERY_WINDOW = 16_384  # the most rows one Milvus query or search returns
# Vectors on Lite: an inverted-file index (Lite has no HNSW). Lite builds it only on segments that
# are sealed and large; smaller ones, such as a county's corpus, are still searched exactly. The
# writer seals what it wrote (MilvusStore.seal), or a million rows stay in brute-forced growing segments.
LITE_LISTS = 1024  # of these a search reads Settings.milvus_nprobe: all of them is exact search
LITE_VECTOR_INDEX = ("IVF_FLAT", {"nlist": LITE_LISTS})
SERVER_VECTOR_INDEX = ("HNSW", {"M": 16, "efConstruction": 200})
LITE_OPEN_WAIT_S = 600.0  # Milvus Lite serves one process at a time: another waits for it this long


_LITE_USERS: Counter[str] = Counter()  # open stores per Lite file in this process: they share one server


def lite_guard(uri: str) -> AbstractContextManager[None]:
    """Held while a process starts or stops Milvus Lite on a file (nothing for a server). Lite frees
    its own lock before its server has finished writing the file, so without this a process opening
    the file just then would read it as it was before the last write."""
    if not is_lite(uri):
        return nullcontext()
    return held_lock(Path(f"{uri}.open.lock"), f"等待 Milvus Lite 文件 {uri} 的上一个使用者退出…",
                     f"Milvus Lite 文件 {uri} 超过 {int(LITE_OPEN_WAIT_S)} 秒未能打开", LITE_OPEN_WAIT_S)


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


def like_pattern(phrase: str, start_only: bool = False) -> str:
    """The `like` literal matching text that contains `phrase` anywhere (or starts with it), its
    wildcards escaped."""
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return quoted(f"{escaped}%" if start_only else f"%{escaped}%")


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


class Match(NamedTuple):
    """One clause row a search found: its key, score, document, and (when asked) its indexed words."""

    row: str
    score: float
    doc_id: str
    tokens: tuple[str, ...] = ()


def clause_row(clause_id: str, version: str) -> str:
    """The key of a clause's row at one version of its document (its pieces and sentences add #n)."""
    return f"{clause_id}@{hashlib.sha1(version.encode()).hexdigest()[:12]}"


def document_versions(manifest: dict[str, Any], made_by: str = "") -> dict[str, str]:
    """doc_id -> the version Milvus holds it at: its file's sha256, the index format (a new format
    changes what is indexed of an unchanged file) and `made_by`, what else changes every row (the
    offline embedder's fit, say)."""
    format_version = manifest.get("format_version")
    return {entry["doc_id"]: f"{entry['content_hash']}:v{format_version}" + (f":{made_by}" if made_by else "")
            for entry in manifest.get("files", {}).values()}


def rows_made_by(embedder_files: dict[str, bytes], with_semantic: bool) -> str:
    """What makes every row differ though no file changed, as `document_versions` takes it: the
    offline embedder's fit, the neural model's sentence vectors present or not."""
    made_by = b"".join(embedder_files[name] for name in sorted(embedder_files)) + str(with_semantic).encode()
    return hashlib.sha1(made_by).hexdigest()[:12]


def _clipped(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= MAX_TEXT_BYTES else data[:MAX_TEXT_BYTES].decode("utf-8", errors="ignore")


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def record_of(clause: Clause) -> str:
    """A clause as its Milvus row holds it (refused when even a VARCHAR cannot hold it)."""
    record = json.dumps(clause.to_json(), ensure_ascii=False)
    if len(record.encode("utf-8")) > 65535:
        raise UserError(f"条款 {clause.clause_id} 过长（超过 Milvus 一个文本字段的 64 KB），无法写入 Milvus；"
                        "请检查该文件的条款划分")
    return record


@dataclass(frozen=True)
class SyncReport:
    """What one synchronisation changed in Milvus."""

    written: tuple[str, ...]  # documents whose rows were (re)written
    removed: tuple[str, ...]  # documents whose rows were deleted


class MilvusStore:
    """The collections on one Milvus (Lite file or server). A reader only reads; the collections are
    created by a writer's first sync."""

    def __init__(self, uri: str, token: str = "", analyzer: str = "jieba", *, create: bool = False,
                 nprobe: int = Settings.milvus_nprobe) -> None:
        if analyzer not in ANALYZERS:
            raise UserError(f"未知的 Milvus 分词方式 {analyzer!r}（可选：{'、'.join(ANALYZERS)}）")
        self.analyzer = analyzer
        self.vector_search = {"nprobe": nprobe} if is_lite(uri) else {}
        if is_lite(uri):
            check_lite_version()
            if not create and not Path(uri).is_file():
                raise IndexMissingError(f"Milvus Lite 文件 {uri} 不存在：还没有索引。请先运行 "
                                        "POLICYQA_INDEX_BACKEND=milvus policyqa ingest 建立")
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            from pymilvus import MilvusClient
        except ImportError:
            raise UserError("未安装 pymilvus；请 pip install -e '.[milvus]'") from None

        # set after pymilvus configures its loggers: it warns on every query iterator that Lite
        # gives it no server timestamp, which is expected
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        self.uri = uri
        self.client = self._connect(MilvusClient, uri, token)
        if is_lite(uri):
            _LITE_USERS[uri] += 1

    @staticmethod
    def _connect(client_class: Any, uri: str, token: str) -> Any:
        """The client; on Lite, wait while another process has the file open (Lite serves one)."""
        deadline = time.monotonic() + (LITE_OPEN_WAIT_S if is_lite(uri) else 0.0)
        told = False
        while True:
            try:
                with lite_guard(uri):
                    return client_class(uri=uri, token=token) if token else client_class(uri=uri)
            except Exception as error:  # noqa: BLE001 - any failure to reach Milvus is the user's setting
                busy = is_lite(uri) and "Open local milvus failed" in str(error)
                if not busy or time.monotonic() > deadline:
                    raise UserError(f"无法连接 Milvus（{uri}）：{type(error).__name__}: {error}") from error
                if not told:
                    log.info("Milvus Lite 文件 %s 正被另一个进程使用，等待它结束…（多个进程同时使用请用 Milvus 服务器）", uri)
                    told = True
                time.sleep(0.5)

    @classmethod
    def for_settings(cls, settings: Settings, *, create: bool = False) -> MilvusStore:
        return cls(milvus_uri(settings), settings.milvus_token, settings.milvus_analyzer, create=create,
                   nprobe=settings.milvus_nprobe)

    def close(self) -> None:
        """Disconnect; for Lite, once no store of this process uses the file, also stop its embedded
        server, which holds the file locked (another process, such as `policyqa serve` after
        `policyqa ingest`, could not open it otherwise)."""
        self.client.close()
        if is_lite(self.uri):
            _LITE_USERS[self.uri] -= 1
            if _LITE_USERS[self.uri] <= 0:
                from milvus_lite.server_manager import server_manager_instance

                with lite_guard(self.uri):  # until its server has exited: it may still be writing the file
                    server_manager_instance.release_server(self.uri)

    # -- schema -------------------------------------------------------------------------------
    def _create(self, name: str, schema: Any, vector_field: str, index_type: str, metric: str,
                params: dict[str, Any] | None = None) -> None:
        index = self.client.prepare_index_params()
        index.add_index(vector_field, index_type=index_type, metric_type=metric, params=params or {})
        self.client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")

    def _schema(self, key: str, description: str = "") -> Any:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False, description=description)
        schema.add_field(key, DataType.VARCHAR, is_primary=True, max_length=512)
        return schema

    def _data_schema(self, key: str, description: str = "") -> Any:
        """A data row's key, its clause's row key, and its document's scope and version."""
        from pymilvus import DataType

        schema = self._schema(key, description)
        schema.add_field("clause_row", DataType.VARCHAR, max_length=512)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=256)
        schema.add_field("region", DataType.VARCHAR, max_length=128)
        schema.add_field("year", DataType.INT64)
        schema.add_field("status", DataType.VARCHAR, max_length=32)
        schema.add_field("version", DataType.VARCHAR, max_length=256)
        schema.add_field("n", DataType.INT64)  # position: of a clause in its document, of a piece or sentence in its clause
        return schema

    def _text_collection(self, name: str, with_record: bool) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self._data_schema("row_id", self.analyzer)
        schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                         analyzer_params=ANALYZERS[self.analyzer])
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        if with_record:
            schema.add_field("record", DataType.VARCHAR, max_length=65535)
            schema.add_field("judged", DataType.VARCHAR, max_length=65535)
        schema.add_function(Function(name=f"{name}_bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        self._create(name, schema, "sparse", "SPARSE_INVERTED_INDEX", "BM25", BM25_PARAMS)

    def create_table(self, name: str, fields: dict[str, str]) -> None:
        """A small keyed table (catalogue, locks) unless it exists: a VARCHAR key, `fields` (name ->
        "text" or "int"), and the 2-d vector Milvus requires of every collection."""
        from pymilvus import DataType

        if self.client.has_collection(name):
            return
        schema = self._schema("key")
        for field, kind in fields.items():
            if kind == "text":
                schema.add_field(field, DataType.VARCHAR, max_length=65535)
            else:
                schema.add_field(field, DataType.INT64)
        schema.add_field("marker", DataType.FLOAT_VECTOR, dim=2)
        self._create(name, schema, "marker", "FLAT", "L2")

    def _vector_collection(self, name: str, dim: int, description: str) -> None:
        from pymilvus import DataType

        schema = self._data_schema("row_id", description)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        if name == SEMANTIC:
            schema.add_field("in_text", DataType.BOOL)  # a fragment of the text, not a glossary entry
        index_type, params = LITE_VECTOR_INDEX if is_lite(self.uri) else SERVER_VECTOR_INDEX
        self._create(name, schema, "vector", index_type, "IP", params)

    def _described(self, name: str) -> tuple[str, int]:
        """A collection's description (what made its rows) and, for vectors, their dimension."""
        described = self.client.describe_collection(name)
        dims = [f.get("params", {}).get("dim") for f in described.get("fields", []) if f.get("name") == "vector"]
        return described.get("description", ""), int(dims[0]) if dims and dims[0] else 0

    def _wanted(self, manifest: dict, dim: int, with_semantic: bool) -> dict[str, tuple[str, int]]:
        """{collection: (its description, its vector size)} for an index with `manifest`."""
        info = manifest.get("embedder", {})
        semantic_info = manifest.get("semantic", {})
        wanted = {PIECES: (f"{info.get('kind')}:{info.get('model')}", dim), CLAUSES: (self.analyzer, 0),
                  SENTENCES: (self.analyzer, 0)}
        if with_semantic and semantic_info.get("dim"):
            wanted[SEMANTIC] = (f"{semantic_info.get('kind')}:{semantic_info.get('model')}", int(semantic_info["dim"]))
        return wanted

    def holds_rows_for(self, manifest: dict) -> bool:
        """True when the collections exist as an index with `manifest` needs them, cut by this
        store's analyzer (a changed analyzer setting means every row is written again)."""
        wanted = self._wanted(manifest, int(manifest.get("embedder", {}).get("dim") or 0), True)
        return all(self.client.has_collection(n) and self._described(n) == want for n, want in wanted.items())

    def prepare(self, stored: StoredIndex) -> bool:
        """Create the collections `stored` needs; start over (True) when the existing ones hold vectors
        of another embedder or text cut by another analyzer: every row is then written again."""
        wanted = self._wanted(stored.manifest, int(stored.embedder_info.get("dim") or stored.dense.dim),
                              stored.semantic is not None)
        started_over = any(self.client.has_collection(n) and self._described(n) != want for n, want in wanted.items())
        if started_over:
            log.info("Milvus：嵌入模型或分词方式已变（%s，%s），重建全部集合", wanted[PIECES][0], self.analyzer)
            for name in (*DATA, CATALOGUE):
                self.client.drop_collection(name)
        if SEMANTIC not in wanted and self.client.has_collection(SEMANTIC):
            self.client.drop_collection(SEMANTIC)  # built without the model now: no stale vectors
        for name, (description, size) in wanted.items():
            if not self.client.has_collection(name):
                if name in (CLAUSES, SENTENCES):
                    self._text_collection(name, with_record=name == CLAUSES)
                else:
                    self._vector_collection(name, size, description)
        return started_over

    # -- writing ------------------------------------------------------------------------------
    def write_documents(self, stored: StoredIndex, versions: dict[str, str], doc_ids: set[str]) -> None:
        """Write the rows of `doc_ids` at their `versions` into the collections `prepare` made, a
        document at a time (the rows of one document are what is held in memory; any rows of its
        new version left by a sync cut short are cleared first). Readers do not see them until the
        catalogue names the version."""
        piece_order = np.argsort(stored.dense.piece_rows, kind="stable")
        piece_rows = stored.dense.piece_rows[piece_order]
        for doc_id in sorted(doc_ids):
            rows = stored.clauses.rows_of(doc_id).tolist()  # from the row table: no clause decoded to find them
            data = self._document_data(stored, versions[doc_id], rows, piece_order, piece_rows)
            self.delete_version(doc_id, versions[doc_id], keep=False)
            for name, collection_rows in data.items():
                for batch in _batches(collection_rows):
                    self.client.insert(name, batch)

    def _document_data(self, stored: StoredIndex, version: str, rows: list[int], piece_order: np.ndarray,
                       piece_rows: np.ndarray) -> dict[str, list[dict[str, Any]]]:
        """The rows of one document's clauses (`rows` of `stored`), per collection."""
        data: dict[str, list[dict[str, Any]]] = {CLAUSES: [], SENTENCES: [], PIECES: [], SEMANTIC: []}
        bounds = [(int(np.searchsorted(piece_rows, row)), int(np.searchsorted(piece_rows, row, side="right")))
                  for row in rows]
        pieces = np.concatenate([piece_order[a:b] for a, b in bounds]) if bounds else np.zeros(0, dtype=np.int64)
        vectors = np.asarray(stored.dense.vectors_of(pieces), dtype=np.float32)
        at = 0
        for n, row in enumerate(rows):
            clause = stored.clauses[row]
            key = clause_row(clause.clause_id, version)
            scope = _scope(clause.doc, version, key)
            data[CLAUSES].append({"row_id": key, **scope, "n": n, "text": _clipped(self.index_text(bm25_text(clause))),
                                  "record": record_of(clause), "judged": _clipped(judged_text(clause))})
            for k, sentence in enumerate(clause_sentences(clause)):
                data[SENTENCES].append({"row_id": f"{key}#{k}", **scope, "n": k,
                                        "text": _clipped(self.index_text(sentence))})
            if stored.semantic is not None:
                start, count = int(stored.semantic.offsets[row]), int(stored.semantic.fragment_counts[row])
                block = np.asarray(stored.semantic.vectors[start:int(stored.semantic.offsets[row + 1])],
                                   dtype=np.float32)
                data[SEMANTIC] += [{"row_id": f"{key}#{k}", **scope, "n": k, "vector": v.tolist(), "in_text": k < count}
                                   for k, v in enumerate(block)]
            count = bounds[n][1] - bounds[n][0]  # the clause's pieces, in order
            data[PIECES] += [{"row_id": f"{key}#{k}", **scope, "n": k, "vector": v.tolist()}
                             for k, v in enumerate(vectors[at:at + count])]
            at += count
        return data

    def seal(self) -> None:
        """Seal the rows written so far into segments Milvus indexes (a writer's last step)."""
        for name in DATA:
            if self.client.has_collection(name):
                self.client.flush(name)

    def delete_version(self, doc_id: str, version: str, keep: bool) -> None:
        """Delete a document's rows at `version` (keep=False) or at every other version (keep=True)."""
        expression = f"doc_id == {quoted(doc_id)} and version {'!=' if keep else '=='} {quoted(version)}"
        for name in DATA:
            if self.client.has_collection(name):
                self.client.delete(name, filter=expression)

    def delete_document(self, doc_id: str) -> None:
        for name in DATA:
            if self.client.has_collection(name):
                self.client.delete(name, filter=f"doc_id == {quoted(doc_id)}")

    def index_text(self, text: str) -> str:
        """What Milvus analyses: our jieba words joined by spaces, or the text itself."""
        return " ".join(tokenize(text)) if self.analyzer == "jieba" else to_simplified(text)

    def tokens_of(self, stored_text: str, original: str) -> list[str]:
        """The jieba tokens of a text, from what Milvus was given when that is them whole."""
        if self.analyzer == "jieba" and len(stored_text.encode("utf-8")) < MAX_TEXT_BYTES:
            return stored_text.split()
        return tokenize(original)

    def query_text(self, query: str) -> str:
        """The query as Milvus should analyse it (aliases added, as on the FAISS backend)."""
        return " ".join(tokenize_query(query)) if self.analyzer == "jieba" else to_simplified(expand_query(query))

    # -- reading ------------------------------------------------------------------------------
    def analyzed_by(self) -> str:
        """The analyzer the stored text was cut by ("" when there are no collections)."""
        return self._described(CLAUSES)[0] if self.client.has_collection(CLAUSES) else ""

    def keyword(self, collection: str, text: str, limit: int, expression: str, versions: dict[str, str],
                with_tokens: bool = False) -> list[Match]:
        """Clause rows by BM25 (with their indexed words when asked), best first; for sentences, each
        clause once with its best sentence."""
        if not text.strip() or limit <= 0:
            return []
        fetch = limit * 4 if collection == SENTENCES else limit
        result = self.client.search(collection, data=[text], anns_field="sparse", limit=min(fetch, QUERY_WINDOW),
                                    filter=expression, output_fields=["clause_row", "doc_id", "version",
                                                                      *(["text"] if with_tokens else [])],
                                    search_params={"metric_type": "BM25"})
        return [Match(key, score, entity["doc_id"], tuple(entity["text"].split()) if with_tokens else ())
                for key, score, entity in _best_per_clause(result[0], limit, versions)]

    def nearest(self, collection: str, vector: np.ndarray, limit: int, expression: str,
                versions: dict[str, str]) -> list[Match]:
        """Clause rows by the cosine of their nearest piece (or sentence vector), each clause once,
        best first."""
        result = self.client.search(collection, data=[vector.astype(np.float32).tolist()], anns_field="vector",
                                    limit=min(limit * 3, QUERY_WINDOW), filter=expression,
                                    output_fields=["clause_row", "doc_id", "version"],
                                    search_params={"metric_type": "IP", "params": self.vector_search})
        return [Match(key, score, entity["doc_id"]) for key, score, entity in _best_per_clause(result[0], limit, versions)]

    def records(self, rows: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Clause row -> its record, for the rows asked (by primary key)."""
        keys = list(dict.fromkeys(rows))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), BATCH):
            for row in self.client.get(CLAUSES, ids=keys[start:start + BATCH], output_fields=["record"]):
                found[row["row_id"]] = json.loads(row["record"])
        return found

    def rows_of(self, collection: str, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every row matching `expression`, with `fields`: one query when they fit in Milvus's result
        window (a search's hits, a document), an iterator beyond it (an iterator costs several calls)."""
        found = list(self.client.query(collection, filter=expression, output_fields=fields, limit=QUERY_WINDOW))
        if len(found) < QUERY_WINDOW:
            return found
        iterator = self.client.query_iterator(collection, batch_size=BATCH, filter=expression, output_fields=fields)
        found = []
        while batch := iterator.next():
            found.extend(batch)
        iterator.close()
        return found

    def document_rows(self, collection: str, doc_id: str, version: str, fields: list[str]) -> list[dict[str, Any]]:
        """A document's rows in `collection` at `version`."""
        return self.rows_of(collection, f"doc_id == {quoted(doc_id)} and version == {quoted(version)}",
                            ["row_id", "clause_row", "n", *fields])

    def clauses_holding(self, phrase: str) -> int:
        """How many clause rows' judged text contains `phrase` (a scan in Milvus)."""
        rows = self.client.query(CLAUSES, filter=f"judged like {like_pattern(phrase.lower())}", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def fragment_vectors(self, rows: list[str]) -> dict[str, np.ndarray]:
        """Clause row -> the neural vectors of its text's sentence fragments, in order."""
        if not rows:
            return {}
        found = self.rows_of(SEMANTIC, f"clause_row in [{', '.join(quoted(r) for r in rows)}] and in_text == true",
                             ["clause_row", "n", "vector"])
        grouped: dict[str, list[tuple[int, list[float]]]] = {}
        for row in found:
            grouped.setdefault(row["clause_row"], []).append((int(row["n"]), row["vector"]))
        return {key: np.asarray([v for _, v in sorted(pairs)], dtype=np.float32) for key, pairs in grouped.items()}

    def count(self, collection: str) -> int:
        rows = self.client.query(collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0


def _scope(doc: Document, version: str, key: str) -> dict[str, Any]:
    return {"clause_row": key, "doc_id": doc.doc_id, "region": doc.region, "year": int(doc.year or 0),
            "status": doc.status, "version": version}


def _best_per_clause(hits: Iterable[dict[str, Any]], limit: int,
                     versions: dict[str, str]) -> list[tuple[str, float, dict[str, Any]]]:
    """Each clause row once (hits come best first) with its entity, only the versions the reader's
    catalogue names."""
    best: dict[str, tuple[float, dict[str, Any]]] = {}
    for hit in hits:
        entity = hit["entity"]
        if versions.get(entity["doc_id"]) != entity["version"]:
            continue  # a version being written or just replaced
        best.setdefault(entity["clause_row"], (float(hit["distance"]), entity))
    return [(key, score, entity) for key, (score, entity) in list(best.items())[:limit]]
