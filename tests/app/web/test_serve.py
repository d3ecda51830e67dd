"""`serve`: builds a missing index with a notice, then launches safely (auth, no files, localhost)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
import threadpoolctl
import uvicorn

import index.backend
import index.ensure
from app.web import page as web
from policyqa.config import Settings


def _blas_threads() -> list[int]:
    return [info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]


@pytest.fixture()
def launched(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Capture launch() instead of serving forever; the test process's BLAS threads as they were."""
    captured: dict[str, Any] = {}

    def fake_launch(self: gr.Blocks, **kwargs: Any) -> None:
        captured.update(kwargs, demo=self)

    monkeypatch.setattr(gr.Blocks, "launch", fake_launch)
    threads = max(_blas_threads(), default=1)
    yield captured
    threadpoolctl.threadpool_limits(limits=threads, user_api="blas")


@pytest.mark.slow  # needs the corpus index
def test_serve_launches_on_localhost_with_auth_and_no_files(corpus_settings: Settings,
                                                            launched: dict[str, Any]) -> None:
    settings = corpus_settings.with_overrides(auth="ann:secret")
    web.serve(settings, host="127.0.0.1", port=7999)
    assert launched["server_name"] == "127.0.0.1" and launched["server_port"] == 7999
    assert launched["auth"] == [("ann", "secret")]
    assert launched["allowed_paths"] == [] and "/" in launched["blocked_paths"]
    assert launched["share"] is False and launched["mcp_server"] is False
    assert launched["demo"].analytics_enabled is False


@pytest.mark.slow
def test_serve_builds_a_missing_index_and_says_so(corpus_settings: Settings, tmp_path: Path,
                                                   launched: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    existing = index.backend.open_index(corpus_settings)

    def fake_ensure(settings: Settings, progress: bool = False) -> Any:
        built.append(progress)
        return existing

    monkeypatch.setattr(index.ensure, "ensure_index", fake_ensure)
    web.serve(corpus_settings.with_overrides(index_dir=tmp_path / "empty-index"), port=7998)
    assert built == [True]  # progress shown in the terminal
    notices = [block for block in launched["demo"].blocks.values()
               if isinstance(block, gr.HTML) and "首次启动" in str(block.value)]
    assert notices


def test_serve_rebuilds_an_index_of_an_older_format_from_its_own_files(tmp_path: Path,
                                                                      launched: dict[str, Any]) -> None:
    """A release that changes the index format must not stop `make run` on the index the last one built."""
    from index.build import ingest_paths
    from index.local_files import FORMAT_VERSION

    policy = tmp_path / "own.txt"
    policy.write_text("支持规上企业开展技术改造，按设备投资额给予补助。\n推动政策性出口信用保险进一步扩责降费。\n",
                      encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", embed_model="offline")
    ingest_paths([policy], settings)
    manifest_file = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["format_version"] = FORMAT_VERSION - 1  # as written by the previous release
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    web.serve(settings, port=7996)
    assert json.loads(manifest_file.read_text(encoding="utf-8"))["format_version"] == FORMAT_VERSION
    assert [d.doc_id for d in index.backend.open_index(settings).documents] == ["own"]  # its files, not the bundled
    notices = [block for block in launched["demo"].blocks.values()
               if isinstance(block, gr.HTML) and "旧版本的格式" in str(block.value)]
    assert notices


@pytest.mark.slow
def test_the_server_answers_with_one_blas_thread_and_bounded_sessions(corpus_settings: Settings,
                                                                      launched: dict[str, Any]) -> None:
    # several answers run at once: BLAS helper threads would spin against them
    threadpoolctl.threadpool_limits(limits=2, user_api="blas")
    web.serve(corpus_settings, port=7997)
    assert _blas_threads() and set(_blas_threads()) == {1}
    # every sessionless /ask call opens a session: they must not pile up to Gradio's 10,000
    assert launched["state_session_capacity"] == web.SESSION_CAPACITY <= 2000


def test_uvicorn_serves_the_chat_with_its_c_loop_and_http_parser() -> None:
    # Gradio starts uvicorn with its "auto" choices: the pure-Python ones cost a fifth of the
    # server's CPU under load
    config = uvicorn.Config(app=lambda *_: None, loop="auto", http="auto")
    config.load()
    assert config.http_protocol_class.__module__ == "uvicorn.protocols.http.httptools_impl"
    loop_factory = config.get_loop_factory()
    assert loop_factory is not None and loop_factory.__module__.startswith("uvloop")
