"""The sentence-transformers embedder: a real model loaded from a folder on disk, lazily."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

KIND = "sentence-transformers"
BGE_ZH_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
_BGE_ZH = re.compile(r"bge-[a-z0-9-]*zh", re.IGNORECASE)


def default_query_instruction(model: str, folder: Path | None = None) -> str:
    """The BGE Chinese query instruction for bge-*-zh models (by name or by a local folder's config)."""
    names = [model]
    if folder is not None:
        names.append(folder.name)
        config = folder / "config.json"
        if config.is_file():
            try:
                names.append(str(json.loads(config.read_text(encoding="utf-8")).get("_name_or_path", "")))
            except (OSError, ValueError):
                pass
        names.extend(part for part in folder.parts[-4:])  # HF cache: models--BAAI--bge-small-zh-v1.5
    return BGE_ZH_INSTRUCTION if any(_BGE_ZH.search(n.replace("--", "/")) for n in names) else ""


class SentenceTransformerEmbedder:
    """An Embedder over a sentence-transformers model; the model loads on first use."""

    kind = KIND
    max_piece_chars: int | None = 360  # ~256-512 model tokens of Chinese; longer input is truncated

    def __init__(self, model: str, folder: Path, query_instruction: str | None = None,
                 batch_size: int = 32) -> None:
        self.model = model  # what the user configured: a hub name or a folder
        self.folder = folder  # where the files are on disk
        self.query_instruction = (default_query_instruction(model, folder)
                                  if query_instruction is None else query_instruction)
        self.batch_size = batch_size
        self._model: Any = None
        self._dim: int | None = None

    @property
    def name(self) -> str:
        return f"{KIND}:{self.model}"

    def _loaded(self) -> Any:  # a SentenceTransformer
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.folder), device="cpu", local_files_only=True)
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            model = self._loaded()
            getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(getter())
        return self._dim

    def _encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._loaded().encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Queries get the model's retrieval instruction (BGE zh); passages never do."""
        return self._encode([self.query_instruction + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        return self._encode(texts)
