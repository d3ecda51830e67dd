"""Chinese tokenisation for BM25 and the offline embedder: jieba with a policy-term dictionary.

One private jieba.Tokenizer (not jieba's global one) so other code's dictionaries cannot change
ours; its dictionary is loaded once per process and reused by every query.
"""
from __future__ import annotations

import logging
import re
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.dictionary import Dictionary

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "userdict.txt"
STOP_WORDS_FILE = DATA_DIR / "stopwords.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.tsv"

# Tokens made only of punctuation, symbols or spaces carry no meaning for retrieval.
_NOISE = re.compile(r"^[\W_]+$")
_lock = threading.Lock()


def _cache_folder() -> Path | None:
    """Where the parsed dictionary is kept: the project's cache folder when it can be written (else
    the temp folder; else nowhere, and it is built in memory)."""
    import os
    import tempfile

    from policyqa.config import load_settings

    for folder in (load_settings().cache_folder, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


@lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    """jieba's dictionary with the policy terms, and its part-of-speech word sets (once per process)."""
    from index.dictionary import load

    return load(USER_DICT, _cache_folder())


@lru_cache(maxsize=1)
def _tokenizer() -> Any:  # a jieba.Tokenizer
    from index.dictionary import import_jieba

    jieba = import_jieba()
    jieba.setLogLevel(logging.WARNING)
    words = dictionary()
    with _lock:
        tokenizer = jieba.Tokenizer()
        # jieba's own initialize() would unmarshal its cache again: hand it the parsed dictionary
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = words.frequencies, words.total, True
    return tokenizer


def word_frequency(word: str) -> int:
    """How often `word` occurs in jieba's general-language dictionary (0 when absent)."""
    return _tokenizer().FREQ.get(word) or 0


def dictionary_total() -> int:
    """The sum of all word frequencies in jieba's dictionary (the base for per-million rates)."""
    return max(_tokenizer().total, 1)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Function words and question words that say nothing about a policy's topic."""
    lines = STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_synonyms_enabled = True


def set_synonyms_enabled(enabled: bool) -> None:
    """Switch the alias table on or off for this process (the evaluation's ablation)."""
    global _synonyms_enabled
    _synonyms_enabled = enabled
    synonyms.cache_clear()
    tokenize_query.cache_clear()


@lru_cache(maxsize=1)
def synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(alias, canonical terms) pairs from the data file, longest alias first (none when switched off)."""
    if not _synonyms_enabled:
        return ()
    pairs = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        alias, _, targets = line.partition("\t")
        pairs.append((alias.strip(), tuple(t.strip() for t in targets.split("|") if t.strip())))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def expand_query(question: str) -> str:
    """The question with the canonical policy terms of any colloquial alias it uses appended."""
    added: list[str] = []
    for alias, targets in synonyms():
        if alias in question:
            added.extend(t for t in targets if t not in question and t not in added)
    return question if not added else question + " " + " ".join(added)


@lru_cache(maxsize=1)
def _to_simplified_converter() -> Any:  # an opencc.OpenCC
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC t2s): a Big5 document and a question typed
    in traditional characters match the simplified ones. Simplified text is left as it is."""
    return _to_simplified_converter().convert(text)


_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Width- and whitespace-insensitive form with letter case kept (for showing a question back)."""
    import unicodedata

    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def normalise(text: str) -> str:
    """Width-, case-, whitespace- and script-insensitive form used for matching (never for quoting):
    traditional characters read as simplified, so a Big5 document matches a simplified question."""
    return to_simplified(squeeze(text).lower())


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens without stop words or punctuation; single characters are kept."""
    words = _tokenizer().cut_for_search(to_simplified(text.lower()), HMM=False)  # HMM off: steadier, faster
    stops = stop_words()
    # interned: an ingest holds every clause's and sentence's tokens at once, and a corpus has few
    # distinct words; one shared string each instead of ~80 bytes per token occurrence
    return [sys.intern(w) for w in (w.strip() for w in words) if w and w not in stops and not _NOISE.match(w)]


def segment(text: str) -> list[str]:
    """jieba's plain (non-overlapping, in order) cut of `text`, HMM off, nothing removed."""
    return [w for w in _tokenizer().cut(text.lower(), HMM=False) if w.strip()]


@lru_cache(maxsize=2048)
def tokenize_query(question: str) -> tuple[str, ...]:
    """Tokens of a question after alias expansion (cached: hotline staff repeat questions)."""
    return tuple(tokenize(expand_query(question)))
