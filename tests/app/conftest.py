"""Fixtures for answer tests: one AnswerService over the shared corpus index per session."""
from __future__ import annotations

import pytest

from app.service import AnswerService
from policyqa.config import Settings


@pytest.fixture(scope="session")
def corpus_service(corpus_settings: Settings) -> AnswerService:
    return AnswerService(corpus_settings)
