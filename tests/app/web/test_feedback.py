"""Feedback lines: where they go, what they hold, and that concurrent appends never interleave."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.web.feedback import append_feedback, feedback_path, make_record
from policyqa.config import Settings


def test_feedback_path_default_and_override(tmp_path: Path) -> None:
    assert feedback_path(Settings(index_dir=tmp_path / "idx")) == tmp_path / "feedback.jsonl"
    custom = tmp_path / "elsewhere" / "fb.jsonl"
    assert feedback_path(Settings(index_dir=tmp_path / "idx", feedback_file=custom)) == custom


def test_record_fields() -> None:
    moment = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    record = make_record(question="温州市补助比例", asked="那温州呢", answer="70%[1]", clause_ids=["w#44"],
                         verdict="down", comment="  应为不低于70%  ", now=moment)
    assert record["time"] == "2025-03-01T08:30:00+00:00"
    assert record["verdict"] == "down" and record["comment"] == "应为不低于70%"
    assert record["clause_ids"] == ["w#44"] and record["asked"] == "那温州呢"
    with pytest.raises(ValueError):
        make_record(question="q", answer="a", clause_ids=[], verdict="meh")


def test_concurrent_appends_give_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "feedback.jsonl"
    long_answer = "长" * 5000  # well past any atomic-pipe size, so only the lock keeps lines whole

    def writer(worker: int) -> None:
        for i in range(25):
            append_feedback(path, make_record(question=f"q{worker}-{i}", answer=long_answer,
                                              clause_ids=["c"], verdict="up"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200
    assert {json.loads(line)["question"] for line in lines} == {f"q{w}-{i}" for w in range(8) for i in range(25)}


def test_a_comment_line_supersedes_the_click(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    click = make_record(question="q", answer="a", clause_ids=[], verdict="down")
    append_feedback(path, click)
    append_feedback(path, {**click, "comment": "引用错了"})
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
    assert [r["comment"] for r in read_feedback(path)] == ["引用错了"]


def read_feedback(path: Path) -> list[dict]:
    """All records, the last line per `feedback_id` winning (comments supersede bare clicks)."""
    if not path.exists():
        return []
    latest: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            latest[record.get("feedback_id", str(len(latest)))] = record
    return list(latest.values())
