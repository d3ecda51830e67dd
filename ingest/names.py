"""File names as text, whatever bytes the file system gave them."""
from __future__ import annotations

import os


def readable_name(name: str) -> str:
    """A file name as text even when its bytes are not UTF-8 (a GBK name from a Windows zip arrives
    as lone surrogates): decoded as GB18030 when that reads, else with U+FFFD for what does not."""
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
