"""Sentence-level matching: a clause is found by its best sentence, however long the clause."""
from __future__ import annotations

import numpy as np

from index.sentences import SentenceIndex, clause_sentences
from index.tokenize import tokenize, tokenize_query
from policyqa.model import Clause, Document

DOC = Document(doc_id="d", title="测试", region="某市", year=2024)


def _clause(n: int, title: str, text: str) -> Clause:
    return Clause(f"d:{n}", DOC, (), str(n), title, text)


def test_sentences_carry_their_clauses_lead_phrase() -> None:
    clause = _clause(1, "加大外贸支持", "加大外贸支持。给予保费60%的补助。2.")
    assert clause_sentences(clause) == ["加大外贸支持。", "加大外贸支持 给予保费60%的补助。"]


def test_a_long_clause_with_one_answering_sentence_beats_a_short_generic_one() -> None:
    long_clause = _clause(0, "综合措施", "".join(f"推进第{i}项重点工作，强化要素保障。" for i in range(40))
                          + "新建母婴室1家。")
    short_clause = _clause(1, "母婴", "推进母婴工作。")
    index = SentenceIndex.build([[tokenize(s) for s in clause_sentences(c)] for c in (long_clause, short_clause)])
    rows, scores = index.search(tokenize_query("新建母婴室多少家"), 2)
    assert rows.tolist()[0] == 0 and scores[0] > 0
    masked_rows, _ = index.search(tokenize_query("新建母婴室多少家"), 2, clause_mask=np.asarray([False, True]))
    assert masked_rows.tolist() == [1]


def test_an_index_built_before_sentence_matching_still_opens(tmp_path) -> None:
    assert SentenceIndex.load(tmp_path) is None
