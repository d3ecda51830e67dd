"""A not-found answer never says a topic is absent when its words stand in the documents.

Property test over the corpus's own terms: questions built from words the clauses hold, in the
shapes users ask. Whatever the decision, a "未找到关于“X”" answer may only name an X no clause holds.
"""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.answer.corpus import is_noun
from app.text.spans import normalise
from index.tokenize import segment, tokenize

_ABSENT = re.compile(r"未找到关于“([^”]+)”|也没有关于“([^”]+)”")
SHAPES = ("{}的补贴标准是多少？", "{}能拿多少钱", "听说有{}，具体比例多少？", "{}什么时候开始申报", "{}归哪个部门管",
          # next to a word no clause holds: the two are named together unless split back
          "我们厂去国外{}能补多少")


def test_a_topic_the_documents_mention_is_never_called_absent(corpus_service) -> None:
    clauses = corpus_service._search_index().clauses  # noqa: SLF001 - the loaded index's own text
    corpus_text = "\n".join(normalise(" ".join((*c.path, c.title, c.text))) for c in clauses)
    nouns = sorted({w for c in clauses for w in tokenize(c.text)
                    if len(w) >= 2 and not re.search(r"\d", w) and is_noun(w)})
    assert len(nouns) > 200

    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(nouns), st.sampled_from(SHAPES))
    def check(word: str, shape: str) -> None:
        answer = corpus_service.ask(shape.format(word))
        for match in _ABSENT.finditer(answer.text):
            for phrase in (p for group in match.groups() if group for p in group.split("、")):
                assert normalise(phrase) not in corpus_text, (shape.format(word), answer.text)
                # nor does it hold a word the documents use ("国外参展" while they write "参展")
                held = [w for w in segment(phrase) if len(w) >= 2 and normalise(w) in corpus_text]
                assert not held, (shape.format(word), answer.text, held)

    check()


def test_words_the_documents_hold_are_named_as_mentioned_the_rest_as_absent(corpus_service) -> None:
    answer = corpus_service.ask("我们厂员工去国外培训能补多少")  # they write "培训", never "员工"
    assert answer.outcome == "not_found", answer.text
    assert "提到了“培训”" in answer.text and "也没有关于“员工”的内容" in answer.text


def test_a_phrase_with_the_particle_了_is_no_topic(corpus_service) -> None:
    # jieba's dictionary tags "开了个" as a noun; the story's verb is not what the caller asks about
    assert not is_noun("开了个") and is_noun("食堂")
    answer = corpus_service.ask("我们小区楼下开了个老年食堂，政府对这种食堂有补贴吗？")
    assert answer.outcome == "not_found" and "开了个" not in answer.text and "食堂" in answer.text


def test_a_mentioned_topic_is_named_as_mentioned(corpus_service) -> None:
    # "最低工资" stands in two documents, which give no figure for it
    answer = corpus_service.ask("最低工资标准是多少")
    assert answer.outcome in ("not_stated", "not_found") and not answer.found
    assert "未找到关于“最低工资" not in answer.text


def test_a_quantity_with_nothing_else_is_declined_without_figures(corpus_service) -> None:
    units = ("万元", "亿元", "元", "公里", "%", "%以上", "个", "家", "万千瓦", "亩", "元/辆", "万人次")

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.integers(min_value=1, max_value=99999), st.sampled_from(units), st.sampled_from(("", "？", "以下", "左右")))
    def check(number: int, unit: str, tail: str) -> None:
        answer = corpus_service.ask(f"{number}{unit}{tail}")
        assert answer.outcome == "not_found" and not answer.citations, answer.text
        assert not re.search(r"\d", answer.text.replace("二〇", "")), answer.text

    check()
    # a quantity beside a matter is a question like any other
    assert corpus_service.ask("出口信用保险补助60%还是80%？").found
