"""Validity questions answered from the document; colloquial words inside longer words; counters."""
from __future__ import annotations

from datetime import date

import pytest

from app.question import analyze_question
from app.service import AnswerService
from app.textspan import normalise
from app.validity import asks_document_validity
from app.vocabulary import Vocabulary
from index.tokenize import synonyms, word_frequency
from policyqa.model import Clause, Document

from .answer_checks import assert_grounded


def _stating_documents(service: AnswerService) -> list[Document]:
    return [d for d in service.documents() if d.validity and d.valid_until and d.region and d.year]


def test_validity_question_quotes_the_documents_statement_and_says_it_has_expired(
        corpus_service: AnswerService) -> None:
    documents = _stating_documents(corpus_service)
    assert documents, "the bundled corpus states validity periods"
    for doc in documents:
        after = date.fromisoformat(doc.valid_until).replace(year=int(doc.valid_until[:4]) + 1)
        answer = corpus_service.ask(f"{doc.region}{doc.year}年的这份政策现在还有效吗？", today=after)
        assert_grounded(answer)
        assert answer.found and answer.citations, answer.text
        assert {c.clause.doc.doc_id for c in answer.citations} <= {
            d.doc_id for d in documents if d.region == doc.region and d.year == doc.year}
        cited = next(c for c in answer.citations if c.clause.doc.doc_id == doc.doc_id)
        assert normalise(doc.validity) in normalise(cited.quote)  # the statement, verbatim, cited
        assert normalise(doc.validity) in normalise(answer.text)
        assert "已过期" in answer.text and "仍在有效期内" not in answer.text


def test_validity_question_before_the_end_says_still_valid(corpus_service: AnswerService) -> None:
    doc = _stating_documents(corpus_service)[0]
    before = date.fromisoformat(doc.valid_until).replace(month=1, day=1)
    answer = corpus_service.ask(f"{doc.region}{doc.year}年的政策有效期到什么时候？", today=before)
    assert_grounded(answer)
    assert answer.found and "仍在有效期内" in answer.text and "已过期" not in answer.text


def test_validity_question_for_a_place_and_year_without_documents_is_declined(
        corpus_service: AnswerService) -> None:
    documents = corpus_service.documents()
    years = {d.year for d in documents if d.year}
    region = documents[0].region
    missing_year = next(y for y in range(2000, 2100) if y not in years)
    answer = corpus_service.ask(f"{region}{missing_year}年的政策还有效吗？", today=date(2100, 1, 1))
    assert_grounded(answer)
    assert not answer.found and "有效期" in answer.text


def test_a_measure_with_its_own_topic_is_not_a_document_validity_question() -> None:
    vocabulary = _vocabulary("出口信用保险补助政策有效期内的企业", "均为2024年全年实施有效。")
    assert asks_document_validity(analyze_question("这份政策还有效吗？", vocabulary=vocabulary))
    assert asks_document_validity(analyze_question("政策有效期到什么时候？", vocabulary=vocabulary))
    assert not asks_document_validity(analyze_question("出口信用保险补助政策的有效期是多久？", vocabulary=vocabulary))


def _vocabulary(*texts: str) -> Vocabulary:
    doc = Document(doc_id="d", title="测试文件", region="某市", year=2024)
    return Vocabulary(Clause(clause_id=f"d:{i}", doc=doc, path=(), number="", title="", text=t)
                      for i, t in enumerate(texts))


def test_alias_inside_a_longer_word_is_read_in_policy_wording() -> None:
    assert "赛事" in dict(synonyms())["比赛"]  # the data entry this test relies on
    # jieba keeps "体育比赛" whole; the documents write "体育赛事"
    profile = analyze_question("今年搞了多少场体育比赛？", vocabulary=_vocabulary("全年举办各级各类体育赛事10场。"))
    assert not profile.foreign
    assert any("体育赛事" in t.forms for t in profile.terms), profile.terms


def test_a_rare_word_without_a_policy_wording_stays_foreign() -> None:
    profile = analyze_question("今年契税补贴有多少？", vocabulary=_vocabulary("全年开展体育赛事10场。"))
    assert "契税" in profile.foreign


@pytest.mark.parametrize(("question", "counter"), [("床位有多少张？", "张"), ("支持几艘渔船？", "艘"), ("建几个？", "个")])
def test_asked_counter_word(question: str, counter: str) -> None:
    assert analyze_question(question).counter == counter


def test_per_person_and_age_are_conditions_not_topics() -> None:
    words = {t.word for t in analyze_question("三岁以下婴幼儿体检每人补多少钱？").terms}
    assert not words & {"每人", "三岁", "以下"}
    assert "体检" in words


def test_cap_on_a_quantity_asks_for_a_figure_and_cap_on_money_for_an_amount() -> None:
    assert analyze_question("容积率最高能放到多少？").kinds == frozenset({"figure"})
    assert "amount" in analyze_question("贷款贴息最高补多少钱？").kinds


def test_word_frequency_is_public_and_reads_the_general_dictionary() -> None:
    assert word_frequency("我们") > word_frequency("契税") >= 0
    assert word_frequency("不是一个词的字符串") == 0


def test_letter_case_does_not_make_a_word_foreign_and_is_kept_when_named_back() -> None:
    vocabulary = _vocabulary("重症监护ICU床位达20张。")
    for asked in ("ICU床位有多少张？", "icu床位有多少张？"):
        profile = analyze_question(asked, vocabulary=vocabulary)
        assert not profile.foreign and any(t.word == "icu" for t in profile.terms)
    missing = analyze_question("ICU护士有多少名？", vocabulary=_vocabulary("全年举办体育赛事10场。"))
    assert "ICU" in missing.topic_phrase()


def test_validity_answer_in_hotline_style_ends_with_the_document(corpus_service: AnswerService) -> None:
    doc = _stating_documents(corpus_service)[0]
    answer = corpus_service.ask(f"{doc.region}{doc.year}年的政策还有效吗？", style="hotline",
                                today=date.fromisoformat(doc.valid_until).replace(year=int(doc.valid_until[:4]) + 1))
    assert_grounded(answer)
    assert answer.found and "依据：" in answer.text and "已过期" in answer.text
