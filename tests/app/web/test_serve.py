"""`serve`: builds a missing index with a notice, then launches safely (auth, no files, localhost)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pytest

import index.backend
from app.web import page as web
from policyqa.config import Settings


@pytest.fixture()
def launched(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Capture launch() instead of serving forever."""
    captured: dict[str, Any] = {}

    def fake_launch(self: gr.Blocks, **kwargs: Any) -> None:
        captured.update(kwargs, demo=self)

    monkeypatch.setattr(gr.Blocks, "launch", fake_launch)
    return captured


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

    monkeypatch.setattr(index.backend, "ensure_index", fake_ensure)
    web.serve(corpus_settings.with_overrides(index_dir=tmp_path / "empty-index"), port=7998)
    assert built == [True]  # progress shown in the terminal
    notices = [block for block in launched["demo"].blocks.values()
               if isinstance(block, gr.HTML) and "首次启动" in str(block.value)]
    assert notices
