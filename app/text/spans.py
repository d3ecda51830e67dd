"""Matching forms of text (normalised, squeezed) and the offset splitter's units, for the answer layer.

The splitter itself (sentences, comma segments as offset spans) lives in ingest/spans.py: the index
embeds the same sentences the answer layer reads.
"""
from __future__ import annotations

import re

from index.tokenize import normalise, squeeze
from ingest.responsibility import responsibility_start
from ingest.spans import Span, cover, split_segments, split_sentences

# the matching forms live with the tokeniser (the index stores text in them); re-exported here
__all__ = ["Span", "cover", "split_segments", "split_sentences", "squeeze", "normalise", "is_responsibility",
           "han_pairs"]

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def is_responsibility(sentence: str) -> bool:
    """True for the "(责任单位:…)" unit of a clause."""
    return responsibility_start(sentence) == 0


def han_pairs(text: str) -> frozenset[str]:
    """The adjacent pairs of Chinese characters in `text`; figures and punctuation break pairs (two
    documents' lines of one measure differ in their figures, not in these)."""
    return frozenset(run[i:i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1))
