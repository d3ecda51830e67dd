"""Swapping a freshly written index folder in place of the old one, so a crash never breaks it.

On Linux the two folders are exchanged in one step (renameat2 RENAME_EXCHANGE). Elsewhere the old
folder is renamed aside first; if we die between the two renames, `recover` puts it back.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from policyqa.errors import UserError

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def staging_dir(target: Path, purpose: str) -> Path:
    """A fresh sibling folder of `target` (same file system, so renames are atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent / f".{target.name}.{purpose}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths on Linux; False when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _aside_name(target: Path) -> Path:
    return target.parent / f".{target.name}.previous"


def swap_in(new_dir: Path, target: Path) -> None:
    """Make `new_dir` the folder at `target`; the old folder is removed only after the swap."""
    if not target.exists():
        os.replace(new_dir, target)
        return
    if _exchange(new_dir, target):
        shutil.rmtree(new_dir, ignore_errors=True)  # new_dir now holds the old index
        return
    aside = _aside_name(target)
    shutil.rmtree(aside, ignore_errors=True)
    os.replace(target, aside)
    os.replace(new_dir, target)
    shutil.rmtree(aside, ignore_errors=True)


def recover(target: Path) -> None:
    """Undo a swap interrupted between its two renames; drop leftovers of interrupted builds."""
    aside = _aside_name(target)
    if aside.exists():
        if target.exists():
            shutil.rmtree(aside, ignore_errors=True)  # the swap finished; only the cleanup did not
        else:
            os.replace(aside, target)
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.build-*"):
            pid = leftover.name.rsplit("-", 2)[-2] if leftover.name.count("-") >= 2 else ""
            if not (pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))):
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def lock_path(target: Path) -> Path:
    """The lock file of the index at `target`: a sibling, since the folder itself is swapped."""
    return target.parent / f".{target.name}.lock"


@contextmanager
def held_lock(path: Path, waiting: str, busy: str, wait_s: float = 600.0, poll_s: float = 0.2) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (released by the system if the process dies); when
    another holds it, log `waiting` once and wait up to `wait_s`, then raise UserError(`busy`)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s", waiting)
            deadline = time.monotonic() + wait_s
            while True:
                time.sleep(poll_s)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise UserError(busy) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def writer_lock(target: Path, wait_s: float = 600.0, poll_s: float = 0.2) -> AbstractContextManager[None]:
    """Hold the index's writer lock: two writers never read the same old index and overwrite each
    other's documents. A second writer says it waits, then waits up to `wait_s` seconds."""
    return held_lock(lock_path(target), f"另一个导入或移除正在写入索引 {target}，等待它完成…",
                     f"索引 {target} 正被另一个导入占用超过 {int(wait_s)} 秒，未做任何改动；请等它完成后再试。",
                     wait_s, poll_s)
