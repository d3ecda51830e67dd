"""Profiles over a small synthetic corpus (tests/app/answer_fakes.py), with the real tokenizer."""
from __future__ import annotations

import pytest

from app.answer.analysis import QuestionProfile, analyze
from app.answer.corpus import CorpusStats

from ..answer_fakes import CLAUSES, FakeIndex


@pytest.fixture(scope="session")
def fake_corpus() -> CorpusStats:
    index = FakeIndex()
    return CorpusStats(index.documents, len(CLAUSES), index.document_frequencies(), index.phrases())


@pytest.fixture(scope="session")
def profile_of(fake_corpus: CorpusStats):
    documents = FakeIndex().documents

    def make(question: str) -> QuestionProfile:
        return analyze(question, documents, fake_corpus)
    return make
