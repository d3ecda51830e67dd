"""The models a loaded index asks with, whatever its backend: the query embedder that matches the
one that built the index, and the neural sentence model when the index holds sentence vectors."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from index.embedders import resolve_embedder, resolve_local
from index.offline_embedder import KIND as OFFLINE_KIND
from index.offline_embedder import OfflineEmbedder
from index.st_embedder import KIND as ST_KIND
from index.st_embedder import SentenceTransformerEmbedder
from policyqa.config import Settings
from policyqa.errors import IndexMismatchError

if TYPE_CHECKING:
    from index.embedders import Embedder
    from index.semantic import E5Embedder


def _mismatch(info: dict, spec: str, resolved: str, index_dir: Path) -> IndexMismatchError:
    built = "离线嵌入（offline）" if info.get("kind") == OFFLINE_KIND else f"模型 {info.get('model')}"
    original = "offline" if info.get("kind") == OFFLINE_KIND else info.get("model")
    return IndexMismatchError(
        f"索引由{built}（维度 {info.get('dim')}）构建，而当前配置的嵌入是 {spec}（{resolved}），两者不能混用。"
        f"请重建索引：policyqa ingest --index {index_dir} --embed-model {spec}；"
        f"或沿用现有索引：设置 POLICYQA_EMBED_MODEL={original}")


def sentence_model(has_vectors: bool, settings: Settings) -> tuple[E5Embedder | None, str]:
    """The neural sentence model for an index that holds sentence vectors, and a notice when it
    cannot run here (the index then answers without it)."""
    if not has_vectors:
        return None, ""
    from index.semantic import announce_once, semantic_embedder

    model, reason = semantic_embedder(settings.semantic_model, settings.cache_folder)
    announce_once(reason)
    return model, reason


def query_embedder(info: dict, settings: Settings, fitted: Callable[[], OfflineEmbedder]) -> tuple[Embedder, str]:
    """The embedder for queries that matches the one that built the index, and a notice; `fitted`
    reads the index's own fitted offline embedder."""
    spec = settings.embed_model
    if spec.strip().lower() == "offline" or info.get("kind") == OFFLINE_KIND:
        local = resolve_local(spec)
        if info.get("kind") != OFFLINE_KIND:
            raise _mismatch(info, spec, "离线嵌入", settings.index_dir)
        if local is not None and local.kind != OFFLINE_KIND:
            raise _mismatch(info, spec, f"本机可加载的模型 {local.model}", settings.index_dir)
        notice = "" if local is not None else f"配置的嵌入模型 {spec} 本机不可用，沿用索引的离线嵌入。"
        return fitted(), notice
    choice = resolve_local(spec)
    if choice is None and spec == info.get("model"):
        choice = resolve_embedder(spec)  # built with it here before; maybe reachable now
    if choice is None or choice.kind != ST_KIND or choice.model != info.get("model") or choice.folder is None:
        raise _mismatch(info, spec, choice.model if choice else "本机不可用", settings.index_dir)
    return SentenceTransformerEmbedder(choice.model, choice.folder, info.get("query_instruction", "")), ""
