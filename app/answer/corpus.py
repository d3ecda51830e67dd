"""What the indexed clauses say at all: token document frequencies (IDF) and the corpus text.

Built once per loaded index from the clause token lists the index already holds (the jieba tokens
BM25 uses), so a question word weighs what it weighs in retrieval. Words no clause contains are
weighed by how rare they are in general Chinese (jieba's dictionary frequency): "产假" is a subject,
"上班" is how people talk.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import lru_cache

from app.text.spans import normalise
from index.contract import Phrases
from policyqa.model import Document

CACHED_WORDS = 100_000  # words whose answers are kept per loaded index (a few MB at most)


class CorpusStats:
    """Token document frequencies and the normalised text of every clause of one index."""

    def __init__(self, documents: Iterable[Document], clause_count: int, document_frequencies: Mapping[str, int],
                 phrases: Phrases) -> None:
        """`phrases`: lookups over the clauses' judged texts, as the index stores them (SearchIndex.phrases)."""
        self.size = max(clause_count, 1)
        self._df = document_frequencies
        self._titles = tuple({normalise(d.title) for d in documents if d.title})
        # answers per word, kept: each is a scan of the whole text (~250M characters at 1M clauses)
        self._holds = lru_cache(maxsize=CACHED_WORDS)(phrases.holds)
        self._count = lru_cache(maxsize=CACHED_WORDS)(phrases.count)

    def df(self, word: str) -> int:
        """How many clauses hold `word` as a token."""
        return self._df.get(word, 0)

    def idf(self, word: str) -> float:
        """BM25's (always positive) inverse document frequency of `word` over the clauses."""
        return self.idf_of(self.df(word))

    def idf_of(self, df: int) -> float:
        """The IDF of a word that `df` clauses hold (also for phrases that are no token: `count`)."""
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def mentions(self, word: str) -> bool:
        """True when some clause (or its headings) contains `word` anywhere."""
        return bool(word) and self._holds(word.lower())

    def count(self, word: str) -> int:
        """How often `word` occurs in the clauses' text (a document frequency for non-tokens)."""
        return self._count(word.lower())

    def names_document(self, word: str) -> bool:
        """True when `word` names a document by a piece of its title ("工作方案", "政府工作报告");
        shorter words of a title ("政策", "经济") may well be the topic itself."""
        return len(word) >= 2 and any(word in title for title in self._titles)


def general_rarity(word: str) -> float:
    """0..1: how rare `word` is in general Chinese (1 for a word jieba's dictionary lacks)."""
    from index.tokenize import dictionary_total, word_frequency

    frequency = word_frequency(word)
    if frequency <= 0:
        return 1.0
    # log scale: "的" (~3% of words) -> ~0.1, a word seen once in 60M -> ~0.95
    return min(1.0, max(0.0, -math.log(frequency / dictionary_total()) / math.log(dictionary_total())))


def is_quantity(word: str) -> bool:
    """True for a number or punctuation, or a word jieba's dictionary tags as a numeral, measure word
    or "以上/以下" ("150", "万元", "公里", "个", "以上"): words that name no policy matter."""
    from index.tokenize import dictionary

    return word in dictionary().quantities or not any(ch.isalpha() for ch in word)


def place_names() -> frozenset[str]:
    """Words jieba's dictionary tags as place names (ns): "台州", "北京", "苍南"."""
    from index.tokenize import dictionary

    return dictionary().places


def is_noun(word: str) -> bool:
    """True for a word jieba's dictionary tags as a common noun (or a verbal noun, a term)."""
    from index.tokenize import dictionary

    return word in dictionary().nouns
