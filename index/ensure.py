"""Opening the configured index for a reader, building it first where a reader may (FAISS).

Apart from index/backend.py so that the backends' registry imports no builder: `ask` and `serve`
open through here, ingest builds through index/build.py.
"""
from __future__ import annotations

import logging
from pathlib import Path

from index.backend import backend_of, open_index
from index.contract import SearchIndex
from policyqa.config import Settings
from policyqa.errors import IndexMissingError, IndexUnreadableError

log = logging.getLogger(__name__)


def ensure_index(settings: Settings, progress: bool = False) -> SearchIndex:
    """Open the index, first building it from the bundled corpus when there is none (FAISS backend).

    A damaged index is not rebuilt here (IndexUnreadableError): it may hold the user's own
    documents, and only an explicit `policyqa ingest` should replace it. An index of an older
    format is rebuilt from exactly its own files when they are all still there (nothing is lost).
    A Milvus store is never written by a reader: an empty one is an error that names the ingest.
    """
    try:
        return open_index(settings)
    except IndexMissingError:
        if not backend_of(settings).built_when_missing:
            raise
        from index.build import ingest_paths  # here: a cold `ask` on an existing index never needs it

        log.info("尚无索引（%s），正在用内置政策文件建立（首次使用约需 10–20 秒）…", settings.index_dir)
        report = ingest_paths([], settings, progress=progress)
    except IndexUnreadableError:
        from index.build import ingest_paths
        from index.local_files import older_format_files

        older = older_format_files(Path(settings.index_dir))
        if older is None or not older[1] or not all(Path(p).is_file() for p in older[1]):
            raise
        log.info("索引是旧格式（%s），正在用它原来的 %d 个文件重新建立…", older[0], len(older[1]))
        report = ingest_paths([Path(p) for p in older[1]], settings, progress=progress, replace=True)
    log.info("%s", report.summary())
    return open_index(settings)
