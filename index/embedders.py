"""Embedders: the protocol, and turning a configured model name into an embedder within seconds.

`settings.embed_model == "offline"` means the offline TF-IDF/SVD embedder. Any other value is a
sentence-transformers model (hub name or local folder); when it cannot be had quickly we say so
once, plainly, and fall back to the offline embedder.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index import hub
from index.offline_embedder import KIND as OFFLINE_KIND
from index.offline_embedder import MODEL_NAME as OFFLINE_MODEL
from index.offline_embedder import OfflineEmbedder
from index.st_embedder import KIND as ST_KIND
from index.st_embedder import SentenceTransformerEmbedder

log = logging.getLogger(__name__)

OFFLINE_SPEC = "offline"
_announced: set[str] = set()


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors; queries and passages may differ (instructions)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def model(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EmbedderChoice:
    """What a configured model name resolves to on this machine, and why."""

    kind: str  # OFFLINE_KIND or ST_KIND
    model: str  # OFFLINE_MODEL, a hub name, or an absolute folder path
    folder: Path | None = None  # where the sentence-transformers files are
    notice: str = ""  # what the user should be told (a fallback); "" when all went as configured

    @property
    def is_fallback(self) -> bool:
        return bool(self.notice)


def unavailable_notice(spec: str, reason: str) -> str:
    """The one plain message shown when the configured model cannot be used."""
    return (f"嵌入模型 {spec} 不可用（{reason}），本次改用离线嵌入（TF-IDF+SVD，随索引保存）。"
            "如需使用该模型：在能联网的机器上下载模型文件夹，拷到本机后设置 POLICYQA_EMBED_MODEL=/模型/文件夹；"
            "或设置 HF_ENDPOINT 指向可访问的镜像；或预先填充 Hugging Face 缓存（~/.cache/huggingface/hub）。"
            "然后运行 policyqa ingest 重建索引。")


def _fallback(spec: str, reason: str, announce: bool) -> EmbedderChoice:
    notice = unavailable_notice(spec, reason)
    if announce and spec not in _announced:
        _announced.add(spec)
        log.warning("%s", notice)
    return EmbedderChoice(OFFLINE_KIND, OFFLINE_MODEL, notice=notice)


def resolve_local(spec: str) -> EmbedderChoice | None:
    """The choice when no network is needed (offline, a model folder, the HF cache), else None."""
    if spec.strip().lower() == OFFLINE_SPEC:
        return EmbedderChoice(OFFLINE_KIND, OFFLINE_MODEL)
    folder = Path(spec).expanduser()
    if folder.exists():
        if hub.is_model_folder(folder):
            return EmbedderChoice(ST_KIND, str(folder.resolve()), folder.resolve())
        return None
    snapshot = hub.cached_snapshot(spec)
    if snapshot is not None:
        return EmbedderChoice(ST_KIND, spec, snapshot)
    return None


def resolve_embedder(spec: str, probe: bool = True, announce: bool = True) -> EmbedderChoice:
    """Decide within about five seconds which embedder `spec` gives on this machine."""
    local = resolve_local(spec)
    if local is not None:
        return local
    if Path(spec).expanduser().exists():
        return _fallback(spec, "该文件夹里没有完整的模型文件", announce)
    if not probe:
        return _fallback(spec, "本机没有该模型的文件夹或缓存", announce)
    if hub.hub_offline_requested():
        return _fallback(spec, "本机没有缓存，且已设置 HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE", announce)
    endpoint = hub.hub_endpoint()
    if not hub.probe_hub(endpoint):
        return _fallback(spec, f"无法在 {hub.PROBE_TIMEOUT_S:.0f} 秒内连上 {endpoint}", announce)
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(spec, etag_timeout=5))
    except Exception as error:  # noqa: BLE001 - a bad name or a dropped connection: fall back
        return _fallback(spec, f"下载失败：{type(error).__name__}", announce)
    if not hub.is_model_folder(folder):
        return _fallback(spec, "下载的文件不是完整的模型", announce)
    return EmbedderChoice(ST_KIND, spec, folder)


def load_embedder(spec: str | EmbedderChoice, *, fit_texts: list[str] | None = None,
                  fit_words: list[list[str]] | None = None, fitted_dir: Path | None = None, query_instruction: str | None = None,
                  probe: bool = True, announce: bool = True) -> Embedder:
    """An embedder for `spec`; the offline one is loaded from `fitted_dir` or fitted on `fit_texts`."""
    choice = spec if isinstance(spec, EmbedderChoice) else resolve_embedder(spec, probe, announce)
    if choice.kind == ST_KIND:
        assert choice.folder is not None
        return SentenceTransformerEmbedder(choice.model, choice.folder, query_instruction)
    if fitted_dir is not None and (fitted_dir / "components.npy").is_file():
        return OfflineEmbedder.load(fitted_dir)
    if fit_texts is None:
        raise ValueError("the offline embedder needs texts to fit on or a folder it was saved in")
    return OfflineEmbedder.fit(fit_texts, words=fit_words)
