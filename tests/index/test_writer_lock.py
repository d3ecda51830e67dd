"""Two writers of one index never lose each other's documents: the second waits for the first."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.atomic import writer_lock
from policyqa.errors import UserError

DOC = "关于支持{name}发展的若干政策\n一、产业扶持\n1. 对新引进的{name}企业给予一次性奖励50万元。\n2. 支持{name}企业开拓市场。\n"


def _ingest(index: Path, path: Path) -> subprocess.Popen:
    env = {**os.environ, "POLICYQA_EMBED_MODEL": "offline", "HF_HUB_OFFLINE": "1"}
    command = Path(sys.executable).with_name("policyqa")  # the console script of this environment
    return subprocess.Popen([str(command), "ingest", str(path), "--index", str(index)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _documents(index: Path) -> set[str]:
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    return {info["doc_id"] for info in manifest["files"].values()}


def _write(folder: Path, name: str) -> Path:
    path = folder / f"{name}.txt"
    path.write_text(DOC.format(name=name), encoding="utf-8")
    return path


def test_an_ingest_waits_for_the_writer_holding_the_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with writer_lock(index):
        running = _ingest(index, _write(tmp_path, "机器人"))
        time.sleep(3)
        assert running.poll() is None  # waiting, not writing beside the holder
    out, err = running.communicate(timeout=180)
    assert running.returncode == 0, err
    assert "等待" in err and _documents(index) == {"机器人"}


def test_two_concurrent_ingests_keep_both_documents(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = _ingest(index, _write(tmp_path, "机器人"))
    second = _ingest(index, _write(tmp_path, "新材料"))
    for process in (first, second):
        _, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
    assert _documents(index) == {"机器人", "新材料"}


def test_a_writer_that_waits_too_long_gives_up_and_changes_nothing(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with writer_lock(index), pytest.raises(UserError, match="占用"):
        with writer_lock(index, wait_s=0.5, poll_s=0.1):
            pass
    with writer_lock(index, wait_s=0.5):  # released: free again
        pass
