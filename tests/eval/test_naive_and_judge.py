"""The naive baseline's chunking and search, the optional LLM judge, and answer-record building."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from eval.answer_metrics import AnswerRecord
from eval.configurations import service_modes, to_record
from eval.judge import build_prompt, judge_records, judge_with_settings, parse_judgement
from eval.questions import GoldRef, Question
from policyqa.config import Settings
from policyqa.model import Answer, Citation, Clause, Document


class HashEmbedder:
    """Deterministic bag-of-characters vectors: equal texts get equal unit vectors."""

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for char in text:
                vectors[row, hashlib.sha256(char.encode()).digest()[0] % 64] += 1
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    embed_queries = embed_passages = _embed


@pytest.mark.slow
def test_naive_chunks_are_fixed_size_and_searchable(tmp_path: Path) -> None:
    from eval.naive import NaiveRetriever, chunk_files

    text = "".join(f"第{i}项措施，对企业给予补助{i}万元。" for i in range(60))
    path = tmp_path / "demo-doc.txt"
    path.write_text(text, encoding="utf-8")
    chunks = chunk_files([path])
    assert len(chunks) > 3 and all(len(c.text) <= 250 for c in chunks)
    assert all(c.doc_id == "demo-doc" for c in chunks)
    assert chunks[0].text[-20:] in chunks[1].text  # consecutive chunks overlap
    retriever = NaiveRetriever(chunks, HashEmbedder())
    assert retriever.search(chunks[2].text, top_k=3)[0] == chunks[2].chunk_id


def test_judgement_parsing_accepts_only_grades_one_to_five() -> None:
    assert parse_judgement('好的：{"faithfulness": 5, "relevance": 3}') == {"faithfulness": 1.0, "relevance": 0.5}
    assert parse_judgement('{"faithfulness": 9, "relevance": 3}') is None
    assert parse_judgement("no json here") is None
    assert parse_judgement('{"faithfulness": 4}') is None


def test_judge_grades_found_answers_only() -> None:
    question = Question("q", "补多少", "fact", (GoldRef("d", "1", "补助60%"),), ("60%",), True)
    other = Question("u", "契税呢", "unanswerable", (), (), False)
    records = [AnswerRecord("q", True, "补助60%[1]", ("给予补助60%",)), AnswerRecord("u", False, "未找到")]
    prompts: list[str] = []

    def complete(prompt: str) -> str:
        prompts.append(prompt)
        return '{"faithfulness": 5, "relevance": 4}'

    result = judge_records(complete, [question, other], records, "Q:{question} A:{answer} S:{sources}")
    assert result == {"judged": 1, "unusable": 0, "faithfulness": 1.0, "relevance": 0.75}
    assert prompts == ["Q:补多少 A:补助60%[1] S:[1] 给予补助60%"]
    assert build_prompt("{sources}", "q", "a", []) == "（无）"


def test_judge_is_skipped_without_an_llm(tmp_path: Path) -> None:
    result = judge_with_settings(Settings(index_dir=tmp_path), [], [])
    assert "skipped" in result


def test_judge_prompt_template_has_exactly_the_three_fields() -> None:
    from eval.judge import PROMPT_FILE

    template = PROMPT_FILE.read_text(encoding="utf-8")
    filled = build_prompt(template, "QQ", "AA", ["SS"])
    assert "QQ" in filled and "AA" in filled and "[1] SS" in filled and "{" in filled


def test_answer_record_keeps_cited_text_and_citation_metadata() -> None:
    doc = Document(doc_id="d", title="某市政策", doc_number="某政发〔2023〕6号", year=2023)
    clause = Clause(clause_id="c", doc=doc, path=("六、开放",), number="44", title="外贸", text="给予保费60%的补助。",
                    locator="44")
    answer = Answer(question="?", found=True, text="补助60%[1]", citations=(Citation(1, clause, "给予保费60%的补助"),))
    record = to_record("q", answer, 12.5)
    assert record.cited_texts == ("给予保费60%的补助。",)
    assert "某政发〔2023〕6号" in record.support_texts and "2023" in record.support_texts
    assert record.latency_ms == 12.5 and record.found


def test_service_modes_follow_the_ask_signature() -> None:
    class Plain:
        def ask(self, question: str, *, top_k: int = 10) -> None: ...

    class WithMode:
        def ask(self, question: str, *, top_k: int = 10, retrieval_mode: str = "hybrid") -> None: ...

    assert service_modes(Plain()) == ("hybrid",)
    assert service_modes(WithMode()) == ("bm25", "dense", "hybrid")
