"""Deciding quickly whether a sentence-transformers model can be had: local folder, cache, or hub.

huggingface_hub retries for about 80 seconds when the hub is unreachable; we never let it. A model
is loaded only from a folder on disk; the hub is contacted only after a short probe succeeds.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_TIMEOUT_S = 3.0
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def is_model_folder(path: Path) -> bool:
    """True when `path` holds a complete model: a config and weights."""
    if not path.is_dir():
        return False
    has_config = (path / "config.json").is_file() or (path / "modules.json").is_file()
    has_weights = any((path / name).is_file() for name in _WEIGHT_FILES) or any(path.glob("*/model.safetensors"))
    return has_config and has_weights


def hub_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where huggingface_hub keeps downloaded models (same variables, same order)."""
    env = os.environ if env is None else env
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    cache_home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return cache_home / "huggingface" / "hub"


def cached_snapshot(repo_id: str) -> Path | None:
    """The complete HF-cache snapshot folder of `repo_id`, or None; no network, no heavy import."""
    if repo_id.count("/") != 1 or repo_id.startswith((".", "/", "~")):
        return None
    repo_dir = hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))
    ref = repo_dir / "refs" / "main"
    candidates: list[Path] = []
    if ref.is_file():
        candidates.append(repo_dir / "snapshots" / ref.read_text(encoding="utf-8").strip())
    if (repo_dir / "snapshots").is_dir():
        candidates.extend(sorted((repo_dir / "snapshots").iterdir(), key=lambda p: p.stat().st_mtime, reverse=True))
    return next((c for c in candidates if is_model_folder(c)), None)


def hub_offline_requested(env: Mapping[str, str] | None = None) -> bool:
    """True when the user told Hugging Face libraries to stay offline."""
    env = os.environ if env is None else env
    return any(env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
               for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_endpoint(env: Mapping[str, str] | None = None) -> str:
    """The hub (or mirror) the libraries would download from."""
    env = os.environ if env is None else env
    return (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


_probed: dict[str, tuple[float, bool]] = {}
PROBE_MEMORY_S = 300.0  # one probe per endpoint per process every few minutes, not per call


def probe_hub(endpoint: str, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """True when `endpoint` answers any HTTP response within `timeout_s` seconds in total."""
    remembered = _probed.get(endpoint)
    if remembered and time.monotonic() - remembered[0] < PROBE_MEMORY_S:
        return remembered[1]
    outcome: list[bool] = []

    import urllib.error  # here, not at the top: urllib.request costs a cold `ask` ~30 ms it never uses
    import urllib.request

    def attempt() -> None:
        try:
            with urllib.request.urlopen(endpoint + "/api/models?limit=1", timeout=timeout_s):
                outcome.append(True)
        except urllib.error.HTTPError:
            outcome.append(True)  # an HTTP error status still proves the server is there
        except Exception:  # noqa: BLE001 - refused, reset, DNS failure, timeout: all "unreachable"
            outcome.append(False)

    # A thread bounds the total time: urlopen's timeout applies per socket operation.
    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout_s)
    reachable = bool(outcome and outcome[0])
    _probed[endpoint] = (time.monotonic(), reachable)
    return reachable
