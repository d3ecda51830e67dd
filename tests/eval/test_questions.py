"""The question set: size, shape, and every gold span and key fact checked against the texts."""
from __future__ import annotations

from collections import Counter

import pytest

from eval.questions import (
    KINDS,
    GoldRef,
    Question,
    check_against_clauses,
    check_against_texts,
    load_questions,
    parse_question,
)
from policyqa.config import BUNDLED_CORPUS
from policyqa.model import Clause, Document


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions()


def test_question_set_meets_the_brief(questions: list[Question]) -> None:
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 150
    assert set(kinds) == set(KINDS)
    assert kinds["colloquial"] * 3 >= len(questions)
    assert kinds["unanswerable"] >= 15
    assert all(not q.answerable for q in questions if q.kind == "unanswerable")
    assert all(len(q.doc_ids) >= 2 for q in questions if q.kind == "cross-document")


def test_every_span_and_key_fact_is_in_the_referenced_document(questions: list[Question]) -> None:
    texts = {path.stem: path.read_text(encoding="utf-8") for path in BUNDLED_CORPUS.glob("*.txt")}
    assert check_against_texts(questions, texts) == []


def test_text_check_reports_missing_span_fact_and_repeats() -> None:
    texts = {"d": "对企业给予保费 60%的补助。对企业给予保费 60%的补助。另有 8 万 元。"}
    bad = [
        Question("a", "?", "fact", (GoldRef("d", "1", "保费60%的补助"),), ("60%",), True),
        Question("b", "?", "fact", (GoldRef("d", "1", "不存在的话"),), ("90%",), True),
        Question("c", "?", "fact", (GoldRef("d", "1", "另有８万元"),), ("8万元",), True),
        Question("u", "?", "unanswerable", (), ("1%",), False),
    ]
    problems = check_against_texts(bad, texts)
    assert any(p.startswith("a: span") and "2x" in p for p in problems)
    assert any(p.startswith("b: span") for p in problems) and any("'90%'" in p for p in problems)
    assert not any(p.startswith("c:") for p in problems)  # width and spaces do not matter
    assert any(p.startswith("u: answerable=False") for p in problems)


def test_parse_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        parse_question({"id": "x", "question": "?", "kind": "trivia", "refs": [], "key_facts": [],
                        "answerable": False})


def _clause(clause_id: str, text: str, doc_id: str = "d") -> Clause:
    doc = Document(doc_id=doc_id, title=doc_id)
    return Clause(clause_id=clause_id, doc=doc, path=(), number="", title="", text=text)


def test_clause_check_flags_a_span_cut_by_a_clause_boundary() -> None:
    question = Question("q", "?", "fact", (GoldRef("d", "1", "给予保费60%的补助"),), ("150万元",), True)
    whole = [_clause("c1", "企业投保的，给予保费 60%的补助，单个企业不超过150万元。")]
    cut = [_clause("c1", "企业投保的，给予保费"), _clause("c2", "60%的补助，单个企业不超过150万元。")]
    assert check_against_clauses([question], whole) == []
    assert any("in 0 clauses" in p for p in check_against_clauses([question], cut))
    fact_elsewhere = [_clause("c1", "给予保费60%的补助。"), _clause("c2", "不超过150万元")]
    assert any("key fact '150万元'" in p for p in check_against_clauses([question], fact_elsewhere))


@pytest.mark.slow
def test_gold_spans_land_in_exactly_one_ingested_clause(questions: list[Question], corpus_settings) -> None:
    """Each span inside exactly one clause the ingest produced, each key fact inside a gold clause."""
    from index.backend import open_index

    clauses = open_index(corpus_settings).clauses
    problems = check_against_clauses(questions, clauses)
    assert problems == [], "\n".join(problems)
