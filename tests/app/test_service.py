"""AnswerService mechanics on a small in-memory index: lazy loading once, streaming, filters, notices."""
from __future__ import annotations

from app.service import AnswerService
from policyqa.config import load_settings
from policyqa.model import Answer

from .answer_checks import TODAY, assert_grounded
from .answer_fakes import FakeIndex


def test_index_loads_lazily_and_once(monkeypatch) -> None:
    opened = []

    def fake_ensure(settings, progress=False):
        opened.append(settings.index_dir)
        return FakeIndex()

    monkeypatch.setattr("index.ensure.ensure_index", fake_ensure)
    service = AnswerService(load_settings({}))
    assert opened == []  # the constructor is light
    for _ in range(3):
        service.ask("外贸企业出口信用保险补助比例是多少", today=TODAY)
    assert len(opened) == 1 and service.documents() and service.notices() == ["测试索引"]


def test_stream_yields_pieces_then_the_answer(corpus_service: AnswerService) -> None:
    pieces = list(corpus_service.ask_stream("瑞安和乐清2023年各新建多少家老年食堂？", today=TODAY))
    answer = pieces[-1]
    assert isinstance(answer, Answer) and all(isinstance(p, str) for p in pieces[:-1])
    assert "".join(pieces[:-1]) == answer.text and len(pieces) > 2
    assert_grounded(answer)


def test_hard_filters_and_empty_filter_note() -> None:
    service = AnswerService(load_settings({}), index=FakeIndex())
    answer = service.ask("出口信用保险补助比例是多少", region="温州市", today=TODAY)
    assert {c.clause.doc.doc_id for c in answer.citations} == {"wenzhou-2024"}
    nothing = service.ask("出口信用保险补助比例是多少", region="杭州市", today=TODAY)
    assert not nothing.found and nothing.notes
    assert_grounded(nothing)


def test_the_scope_is_detected_once_and_given_to_search_and_answer(monkeypatch) -> None:
    import app.service
    from index.scope import detect_scope

    detected = []

    def counting(question, documents):
        detected.append(question)
        return detect_scope(question, documents)

    monkeypatch.setattr(app.service, "detect_scope", counting)
    index = FakeIndex()
    service = AnswerService(load_settings({}), index=index)
    answer = service.ask("温州2024年出口信用保险补助比例是多少", today=TODAY)
    assert len(detected) == 1 and index.searches == 2  # the global search and the named scope's
    assert all(s is not None and s.regions == ("温州市",) and s.indexed_years == (2024,) for s in index.scopes)
    assert answer.found and answer.citations[0].clause.doc.doc_id == "wenzhou-2024"  # the named scope first
    # a year no document is of: named (the answer says so), not preferred by the search
    index.scopes.clear()
    none = service.ask("2019年出口信用保险补助比例是多少", today=TODAY)
    assert [(s.named_years, s.indexed_years) for s in index.scopes if s is not None] == [((2019,), ())]
    assert none.outcome == "missing_scope" and "二〇一九年" in none.text


def test_named_region_without_a_document_is_not_answered_from_elsewhere() -> None:
    service = AnswerService(load_settings({}), index=FakeIndex())
    answer = service.ask("瑞安对新引进的博士给多少安家补助", today=TODAY)
    assert answer.found and "30" in answer.text  # the synthetic Rui'an clause says so
    assert_grounded(answer)
    other = service.ask("温州对新引进的博士给多少安家补助", today=TODAY)
    assert not other.found and "瑞安市" in other.text
    assert_grounded(other)


def test_concurrent_answers_equal_sequential_ones(corpus_settings) -> None:
    """One AnswerService serves the whole chat: answers in parallel threads, from a cold start, must
    be exactly the answers given one at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from eval.questions import load_questions

    questions = [q.question for q in load_questions()][:40]
    sequential = AnswerService(corpus_settings)
    expected = [sequential.ask(q, today=TODAY).text for q in questions]
    shared = AnswerService(corpus_settings)  # cold: index, statistics and model load under contention
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: shared.ask(q, today=TODAY).text, questions * 2))
    assert got == expected * 2


def test_services_sharing_a_retrieval_memo_search_once_and_answer_as_alone(corpus_settings, monkeypatch) -> None:
    """eval scores one model at several decline thresholds: the services share their searches
    through a memo, and each answers exactly as a service of its own would."""
    from dataclasses import replace

    from app.answer.decision import load_model
    from app.service import RetrievalMemo
    from eval.questions import load_questions

    questions = [q.question for q in load_questions()][:12]
    index = AnswerService(corpus_settings)._search_index()
    searched = []
    search = index.search
    monkeypatch.setattr(index, "search", lambda *args, **kwargs: searched.append(1) or search(*args, **kwargs))
    model = load_model()
    strict = replace(model, threshold=0.95)
    memo: RetrievalMemo = {}
    shared = {}
    for variant in (model, strict):
        service = AnswerService(corpus_settings, index=index, model=variant, retrievals=memo)
        shared[variant.threshold] = [service.ask(q, today=TODAY).text for q in questions]
    assert len(memo) == len(questions)
    once = len(searched)
    alone = {v.threshold: [AnswerService(corpus_settings, index=index, model=v).ask(q, today=TODAY).text
                           for q in questions] for v in (model, strict)}
    assert len(searched) == 3 * once  # searched again without the memo, once per model
    assert shared == alone
    assert shared[model.threshold] != shared[strict.threshold]  # the threshold still decides
