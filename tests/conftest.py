"""Shared fixtures: every test runs offline, against its own index folder, never the user's."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.backend import BACKENDS
from policyqa.config import BUNDLED_CORPUS, Settings, load_settings

CORPUS_FILES = sorted(BUNDLED_CORPUS.glob("*.txt"))


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No network, no LLM, no writes to the user's data folder."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("POLICYQA_EMBED_MODEL", "offline")
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path_factory.mktemp("index-default")))
    for name in ("POLICYQA_LLM_BASE_URL", "POLICYQA_LLM_MODEL", "POLICYQA_LLM_API_KEY", "POLICYQA_AUTH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    return CORPUS_FILES


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus indexed once per test session with the offline embedder (read-only)."""
    from index.build import ingest_paths

    index_dir = tmp_path_factory.mktemp("corpus-index")
    settings = Settings(index_dir=index_dir, embed_model="offline")
    ingest_paths(list(CORPUS_FILES), settings, progress=False)
    return index_dir


@pytest.fixture(scope="session")
def corpus_settings(corpus_index_dir: Path) -> Settings:
    """Settings pointing at the shared corpus index, offline embedder, no LLM."""
    return load_settings({}).with_overrides(index_dir=corpus_index_dir, embed_model="offline")


# A Milvus server for the Milvus tests (e.g. http://localhost:19530); else Milvus Lite in a temp folder.
MILVUS_URI = os.environ.get("MILVUS_URI", "")
BACKEND_FIXTURES = {"faiss": "corpus_settings", "milvus": "milvus_corpus_settings"}  # one per registered backend


@pytest.fixture(scope="session")
def milvus_corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled corpus on the Milvus backend (a Lite file in a temp folder, or MILVUS_URI)."""
    from index.build import ingest_paths

    index_dir = tmp_path_factory.mktemp("milvus-corpus-index")
    settings = Settings(index_dir=index_dir, embed_model="offline", index_backend="milvus",
                        milvus_uri=MILVUS_URI or str(index_dir / "milvus.db"),
                        milvus_token=os.environ.get("MILVUS_TOKEN", ""))
    ingest_paths(list(CORPUS_FILES), settings, progress=False)
    return load_settings({}).with_overrides(index_dir=index_dir, embed_model="offline", index_backend="milvus",
                                            milvus_uri=settings.milvus_uri, milvus_token=settings.milvus_token)


@pytest.fixture(scope="session", params=sorted(BACKENDS))
def backend_settings(request: pytest.FixtureRequest) -> Settings:
    """The bundled corpus index on each backend in turn: tests using it run once per backend (a
    backend registered without a fixture here fails, rather than going untested)."""
    return request.getfixturevalue(BACKEND_FIXTURES[request.param])
