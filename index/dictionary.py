"""jieba's dictionary, parsed once per machine and kept in the project's cache folder.

A cold `policyqa ask` spent most of its second here: jieba unmarshals its prefix dictionary (~500k
entries) in ~0.8 s, our policy terms are then added word by word, and the part-of-speech sets
(place names, nouns, quantity words) were read from dict.txt on every start. All three are built
together once and pickled (a dict of str -> int unpickles about 4x faster than jieba's marshal
cache); the cache is keyed by jieba's version and dictionary and by our user dictionary, so editing
either rebuilds it. When the cache folder cannot be written everything is built in memory.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

CACHE_VERSION = 4  # bump when what is cached changes (3: the policy terms' own tags count; 4: no noun holds 了)
QUANTITY_TAGS = frozenset({"m", "mq", "q", "f"})  # numerals, measure words, "以上"/"以下"
NOUN_TAGS = frozenset({"n", "nz", "nt", "vn", "eng"})


@dataclass(frozen=True)
class Dictionary:
    """jieba's prefix dictionary with the policy terms added, and its part-of-speech word sets."""

    frequencies: dict[str, int]  # word (or a word's prefix, at 0) -> frequency, as jieba's FREQ
    total: int
    places: frozenset[str]  # tagged ns, two characters or more
    nouns: frozenset[str]  # tagged n/nz/nt/vn/eng, two characters or more
    quantities: frozenset[str]  # tagged m/mq/q/f

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Each word set pickled as one joined string: unpickling 165k separate strings took ~0.15 s
        # of a cold start, splitting one string takes ~0.03 s.
        return (_unpack, (self.frequencies, self.total, "\n".join(self.places), "\n".join(self.nouns),
                          "\n".join(self.quantities)))


def _unpack(frequencies: dict[str, int], total: int, places: str, nouns: str, quantities: str) -> Dictionary:
    def words(joined: str) -> frozenset[str]:
        return frozenset(joined.split("\n")) if joined else frozenset()

    return Dictionary(frequencies, total, words(places), words(nouns), words(quantities))


def import_jieba() -> ModuleType:
    """jieba, imported without pkg_resources: jieba only uses it to open its own data files, and
    setuptools' pkg_resources costs ~50 ms at start-up and prints a deprecation warning to users."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    return jieba


def _jieba_dictionary_file() -> Path:
    return Path(str(import_jieba().__file__)).resolve().parent / "dict.txt"


def cache_key(user_dict: Path) -> str:
    """What the cached dictionary was built from: jieba's version and dictionary, our terms."""
    jieba = import_jieba()

    base = _jieba_dictionary_file().stat()
    digest = hashlib.sha256()
    digest.update(f"{CACHE_VERSION}|{jieba.__version__}|{base.st_size}|{base.st_mtime_ns}|".encode())
    digest.update(user_dict.read_bytes())
    return digest.hexdigest()[:16]


def tagged_words(lines: Any) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(places, nouns, quantities) from dict.txt lines ("word freq tag")."""
    places: set[str] = set()
    nouns: set[str] = set()
    quantities: set[str] = set()
    for line in lines:
        parts = line.split()
        if len(parts) != 3:
            continue
        word, _, tag = parts
        if tag in QUANTITY_TAGS:
            quantities.add(word)
        if len(word) < 2:
            continue
        if tag == "ns":
            places.add(word)
        elif tag in NOUN_TAGS and "了" not in word:
            # jieba's dictionary tags 26 phrases with the particle as nouns ("开了个", "打了个"): no
            # topic or asked item is one
            nouns.add(word)
    return frozenset(places), frozenset(nouns), frozenset(quantities)


def build(user_dict: Path) -> Dictionary:
    """Parse jieba's dictionary and add `user_dict`, as jieba itself would."""
    jieba = import_jieba()

    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True  # load_userdict must not load jieba's own cache again
    tokenizer.load_userdict(str(user_dict))
    # our policy terms carry their own tags ("消费券 10 n"): a term jieba does not know is a noun too
    with open(_jieba_dictionary_file(), encoding="utf-8") as lines:
        places, nouns, quantities = tagged_words([*lines, *user_dict.read_text(encoding="utf-8").splitlines()])
    return Dictionary(tokenizer.FREQ, tokenizer.total, places, nouns, quantities)


def _write(dictionary: Dictionary, path: Path) -> None:
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(dictionary, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(staging, path)  # readers see the old file or the whole new one
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def load(user_dict: Path, cache_folder: Path | None) -> Dictionary:
    """The dictionary from `cache_folder` when it was built from the same files, else built (and
    cached when the folder can be written)."""
    if cache_folder is None:
        return build(user_dict)
    path = cache_folder / f"dictionary-{cache_key(user_dict)}.pickle"
    try:
        with open(path, "rb") as cached:
            dictionary = pickle.load(cached)  # our own file in the user's cache folder
        if isinstance(dictionary, Dictionary):
            return dictionary
    except FileNotFoundError:
        pass
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError) as error:
        log.debug("rebuilding the dictionary cache %s: %s", path, error)
    dictionary = build(user_dict)
    try:
        cache_folder.mkdir(parents=True, exist_ok=True)
        _write(dictionary, path)
        for stale in cache_folder.glob("dictionary-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as error:
        log.debug("the dictionary cache %s cannot be written: %s", path, error)
    return dictionary
