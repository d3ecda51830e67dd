"""Shared fixtures: every test runs offline, against its own index folder, never the user's."""
from __future__ import annotations

from pathlib import Path

import pytest

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
