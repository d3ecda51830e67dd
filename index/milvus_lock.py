"""One writer at a time on a Milvus store: a lock record in Milvus, with its owner and expiry.

Writers on several machines share no folder, so the lock lives where the index does. Milvus has no
compare-and-set: a writer that finds the lock free writes its record, waits a moment and reads it
back; only the writer whose record stands goes on. The record is renewed while the writer works, so
a writer that died leaves a lock that expires rather than one that blocks forever. A writer that
was stalled past the expiry may find its lock taken over: it checks that the record is still its
own (`HeldLock.confirm`) right before it makes its rows visible, and gives up otherwise.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from index.milvus_store import LOCKS, MilvusStore, quoted
from policyqa.errors import UserError

log = logging.getLogger(__name__)

WRITER = "writer"
TTL_S = 120  # a lock not renewed for this long is taken to belong to a writer that died
SETTLE_S = 0.5  # between writing the record and reading it back: a rival's write lands in between


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder(store: MilvusStore) -> tuple[str, float] | None:
    """The current holder and its expiry (epoch seconds), or None when the lock is free."""
    rows = store.client.query(LOCKS, filter=f"key == {quoted(WRITER)}", output_fields=["owner", "expires"])
    return (rows[0]["owner"], float(rows[0]["expires"])) if rows else None


def _claim(store: MilvusStore, owner: str, ttl_s: float) -> None:
    store.client.upsert(LOCKS, [{"key": WRITER, "owner": owner, "expires": int(time.time() + ttl_s),
                                 "marker": [0.0, 0.0]}])


@dataclass(frozen=True)
class HeldLock:
    """The writer lock a writer holds (or held, if another writer took it over since)."""

    store: MilvusStore
    owner: str

    def confirm(self) -> None:
        """Raise UserError unless the lock is still this writer's: called before a write becomes
        visible, so a writer whose lock expired while it stalled publishes nothing."""
        holder = _holder(self.store)
        if holder is None or holder[0] != self.owner:
            raise UserError(f"Milvus 写入锁已被 {holder[0] if holder else '另一个写入者'} 接管（本次写入停顿过久），"
                            "本次改动未生效；请重新运行")


@contextmanager
def milvus_writer_lock(store: MilvusStore, wait_s: float = 600.0, poll_s: float = 1.0,
                       ttl_s: float = TTL_S) -> Iterator[HeldLock]:
    """Hold the store's writer lock for the block; UserError after `wait_s` with nothing changed."""
    store.create_table(LOCKS, {"owner": "text", "expires": "int"})
    owner = _owner()
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        holder = _holder(store)
        if holder is None or holder[1] < time.time():
            if holder is not None:
                log.info("Milvus 写入锁的持有者 %s 已过期未续，接管", holder[0])
            _claim(store, owner, ttl_s)
            time.sleep(SETTLE_S)
            holder = _holder(store)
            if holder is not None and holder[0] == owner:
                break
        if time.monotonic() > deadline:
            raise UserError(f"Milvus（{store.uri}）的索引正被 {holder[0] if holder else '另一个写入者'} 写入，"
                            f"等待超过 {int(wait_s)} 秒，未做任何改动；请稍后再试")
        if not told:
            log.info("另一个导入或移除（%s）正在写入 Milvus 索引，等待它完成…", holder[0] if holder else "?")
            told = True
        time.sleep(poll_s)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl_s / 3):
            holder = _holder(store)
            if holder is None or holder[0] != owner:
                log.warning("Milvus 写入锁已被 %s 接管（本进程续期太迟）", holder[0] if holder else "?")
                return
            _claim(store, owner, ttl_s)

    renewer = threading.Thread(target=renew, name="milvus-lock-renewal", daemon=True)
    renewer.start()
    try:
        yield HeldLock(store, owner)
    finally:
        stop.set()
        renewer.join()
        holder = _holder(store)
        if holder is not None and holder[0] == owner:
            store.client.delete(LOCKS, filter=f"key == {quoted(WRITER)}")
