"""A real OpenAI-compatible model for the real-model tests: the one in POLICYQA_LLM_BASE_URL when
given (vLLM, Ollama, a hosted service), else llama.cpp serving the bundled local model on 127.0.0.1."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from app.llm.local_server import (
    LOCAL_CONTEXT_CLAUSES,
    LOCAL_MAX_TOKENS,
    LOCAL_REWRITE,
    RunningServer,
    assemble_model,
    local_server,
)
from policyqa.config import Settings, load_settings

# Read when the tests are collected: each test then runs with the LLM variables cleared (conftest).
OUTSIDE = {name: os.environ.get(name, "") for name in
           ("POLICYQA_LLM_BASE_URL", "POLICYQA_LLM_MODEL", "POLICYQA_LLM_API_KEY")}
# The bundled model answers in 19 s (median) on two idle cores; a busy CI machine takes several times that.
REAL_TIMEOUT_S = 180.0


@pytest.fixture(scope="session")
def real_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    if OUTSIDE["POLICYQA_LLM_BASE_URL"]:
        yield RunningServer(OUTSIDE["POLICYQA_LLM_BASE_URL"].rstrip("/"), OUTSIDE["POLICYQA_LLM_MODEL"])
        return
    settings = load_settings()
    with local_server(assemble_model(settings.local_llm), threads=settings.llm_threads,
                      log_file=tmp_path_factory.mktemp("llm") / "llama-server.log") as server:
        yield server


@pytest.fixture(scope="session")
def real_llm_settings(real_llm: RunningServer, corpus_settings: Settings) -> Settings:
    return corpus_settings.with_overrides(
        llm_base_url=real_llm.base_url, llm_model=real_llm.model or "local",
        llm_api_key=OUTSIDE["POLICYQA_LLM_API_KEY"] or None, llm_timeout_s=REAL_TIMEOUT_S,
        llm_context_clauses=LOCAL_CONTEXT_CLAUSES, llm_max_tokens=LOCAL_MAX_TOKENS,
        llm_rewrite=LOCAL_REWRITE)
