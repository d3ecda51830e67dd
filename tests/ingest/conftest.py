"""Fixtures of the ingest tests: the bundled corpus loaded once per session."""
from __future__ import annotations

import pytest

from ingest.pipeline import load_document
from policyqa.config import BUNDLED_CORPUS
from policyqa.model import Clause, Document


@pytest.fixture(scope="session")
def corpus() -> dict[str, tuple[Document, list[Clause]]]:
    """doc_id -> (Document, clauses) for every bundled file."""
    loaded = [load_document(path) for path in sorted(BUNDLED_CORPUS.glob("*.txt"))]
    return {doc.doc_id: (doc, clauses) for doc, clauses in loaded}
