"""A validity question names one document by a piece of its title: AnswerConfig.title_piece_chars."""
from __future__ import annotations

from app.answer.config import DEFAULT_CONFIG
from app.answer.validity import documents_asked

from ..answer_fakes import RUIAN_2023, RUIAN_2025, WENZHOU_2024

DOCS = [RUIAN_2023, WENZHOU_2024, RUIAN_2025]


def _asked(question: str) -> list[str]:
    return [d.doc_id for d in documents_asked(question, DOCS, [], None, DEFAULT_CONFIG.title_piece_chars)]


def test_four_characters_of_a_title_name_that_document() -> None:
    # "承接落实": four characters of the Rui'an 2023 plan's title, of no other title
    assert _asked("承接落实的文件还有效吗") == ["ruian-2023"]


def test_three_characters_of_a_title_do_not() -> None:
    # "高质量" is three characters of the Wenzhou title: too common a phrase to name a document by
    assert sorted(_asked("高质量的那份政策还有效吗")) == sorted(d.doc_id for d in DOCS)


def test_a_validity_question_names_a_measure_by_a_rare_enough_word(corpus_service) -> None:
    """validity_topic_rarity (0.55): "就业" (0.52 in general Chinese) is too common to name a measure,
    so "就业政策还有效吗" asks about the documents; "外贸" (0.58) names the trade measures."""
    from app.answer.validity import asks_document_validity

    rarity = DEFAULT_CONFIG.validity_topic_rarity
    assert asks_document_validity(corpus_service.analyze("就业政策还有效吗"), rarity)
    assert corpus_service.ask("就业政策还有效吗").outcome == "validity"
    assert not asks_document_validity(corpus_service.analyze("外贸政策还有效吗"), rarity)
