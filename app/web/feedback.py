"""👍/👎 feedback from the chat, appended as JSON lines: the raw material for the eval set.

One line per click (and one more when a comment follows, with the same `feedback_id`; readers
keep the last line per id). Each line goes out in a single `write` on a file opened with
O_APPEND, under a process lock and an advisory file lock, so concurrent users never interleave.
"""
from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policyqa.config import Settings

try:  # advisory locks across processes (two servers on one file); absent on Windows
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]

FEEDBACK_FILE_NAME = "feedback.jsonl"
VERDICTS = ("up", "down")
_write_lock = threading.Lock()


def feedback_path(settings: Settings) -> Path:
    """POLICYQA_FEEDBACK_FILE if set, else `feedback.jsonl` beside the index folder."""
    if settings.feedback_file is not None:
        return Path(settings.feedback_file)
    return Path(settings.index_dir).parent / FEEDBACK_FILE_NAME


def make_record(
    *,
    question: str,
    answer: str,
    clause_ids: Sequence[str],
    verdict: str,
    comment: str = "",
    asked: str = "",
    filters: dict[str, Any] | None = None,
    feedback_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One feedback line: what was asked and answered, which clauses it cited, the verdict."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    moment = now or datetime.now(UTC)
    return {
        "feedback_id": feedback_id or uuid.uuid4().hex,
        "time": moment.isoformat(timespec="seconds"),
        "question": question,
        "asked": asked or question,  # the turn as typed, before follow-up resolution
        "answer": answer,
        "clause_ids": list(clause_ids),
        "verdict": verdict,
        "comment": comment.strip(),
        "filters": filters or {},
    }


def append_feedback(path: Path, record: dict[str, Any]) -> None:
    """Append one record as one JSON line; safe with concurrent writers."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            written = os.write(fd, line)
            if written != len(line):  # a short write on a full disk: say so, never half-log silently
                raise OSError(f"feedback line truncated writing {path}")
        finally:
            os.close(fd)  # closing releases the flock
