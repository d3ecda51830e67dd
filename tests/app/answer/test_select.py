"""Choosing clauses above the threshold and the sentences that state the answer."""
from __future__ import annotations

import re
from dataclasses import replace

from app.answer.analysis import Part, Term
from app.answer.config import DEFAULT_CONFIG
from app.answer.kinds import Kind
from app.answer.select import best_stating, choose_clauses, choose_sentences, fragments, narrow
from app.text.spans import Span
from policyqa.model import Clause

from ..answer_fakes import CLAUSES, RUIAN_2023, WENZHOU_2024, scored


def test_threshold_decides_and_the_named_region_leads(profile_of) -> None:
    profile = profile_of("温州出口信用保险补助比例是多少")
    ruian, wenzhou = scored(profile, CLAUSES[0], 0.9), scored(profile, CLAUSES[1], 0.6)
    chosen = choose_clauses([ruian, wenzhou], profile, 0.5, DEFAULT_CONFIG)
    assert [s.candidate.hit.clause.doc for s in chosen] == [WENZHOU_2024, RUIAN_2023]
    assert choose_clauses([ruian, wenzhou], profile, 0.95, DEFAULT_CONFIG) == []
    # far below the best: not cited
    assert len(choose_clauses([ruian, scored(profile, CLAUSES[1], 0.3)], profile_of("补助比例"), 0.2,
                              DEFAULT_CONFIG)) == 1


def test_best_sentence_and_other_sentences_stating_the_fact(profile_of) -> None:
    profile = profile_of("出口信用保险补助比例是多少")
    item = choose_sentences(scored(profile, CLAUSES[0], 0.9, [0.1, 0.9, 0.1]), profile, DEFAULT_CONFIG)
    assert item.stated and "60%" in item.quote and item.quote in CLAUSES[0].text


def test_a_figure_question_without_the_figure_quotes_no_number(profile_of) -> None:
    profile = profile_of("短期出口信用保险保费补助比例是多少")
    item = choose_sentences(scored(profile, CLAUSES[2], 0.9, [0.1, 0.9, 0.2, 0.1]), profile, DEFAULT_CONFIG)
    assert not item.stated and "按规定给予补助" in item.quote and not re.search(r"\d", item.quote)


def test_responsibility_question_adds_the_units_line(profile_of) -> None:
    profile = profile_of("出口信用保险补助哪个部门负责")
    item = choose_sentences(scored(profile, CLAUSES[0], 0.9, [0.9, 0.1, 0.1]), profile, DEFAULT_CONFIG)
    assert any("责任单位" in s.text for s in item.spans)


def test_a_continuation_keeps_the_sentence_it_continues(profile_of) -> None:
    clause = Clause("c", RUIAN_2023, (), "1", "养老", "新建老年食堂50家。其中乡镇老年食堂20家。另有其他安排。")
    profile = profile_of("乡镇老年食堂多少家")
    item = choose_sentences(scored(profile, clause, 0.9, [0.1, 0.9, 0.1]), profile, DEFAULT_CONFIG)
    assert [s.text for s in item.spans] == ["新建老年食堂50家。", "其中乡镇老年食堂20家。"]


def test_long_sentences_are_narrowed_to_the_answering_segments(profile_of) -> None:
    text = "，".join(f"开展第{i}项无关工作" for i in range(30)) + "，出口信用保险补助比例为60%。"
    profile = profile_of("出口信用保险补助比例是多少")
    span = narrow(text, Span(0, len(text), text), profile, DEFAULT_CONFIG)
    assert "60%" in span.text and len(span.text) <= DEFAULT_CONFIG.max_quote_chars


def test_another_documents_best_clause_joins_above_the_document_threshold(profile_of) -> None:
    from dataclasses import replace

    profile = profile_of("出口信用保险补助比例是多少")
    ruian = scored(profile, CLAUSES[0], 0.9)
    wenzhou = replace(scored(profile, CLAUSES[1], 0.1), document_probability=0.6)
    chosen = choose_clauses([ruian, wenzhou], profile, 0.5, DEFAULT_CONFIG, document_threshold=0.55)
    assert [s.candidate.hit.clause.clause_id for s in chosen] == ["r23-trade", "w24-44"]
    assert len(choose_clauses([ruian, wenzhou], profile, 0.5, DEFAULT_CONFIG, document_threshold=0.65)) == 1
    assert choose_clauses([replace(ruian, probability=0.4), wenzhou], profile, 0.5, DEFAULT_CONFIG, 0.55) == []


def test_a_short_lead_in_is_quoted_with_the_details_after_it(profile_of) -> None:
    clause = Clause("c", RUIAN_2023, (), "", "人才", "优化人才新政。新引育高技能人才4500人、顶尖人才5名。另行安排其他工作事项若干。")
    profile = profile_of("人才新政")
    item = choose_sentences(scored(profile, clause, 0.9, [0.9, 0.2, 0.1]), profile, DEFAULT_CONFIG)
    assert [s.text for s in item.spans] == ["优化人才新政。", "新引育高技能人才4500人、顶尖人才5名。"]


def test_the_details_after_a_lead_in_answer_only_when_rated_as_answering(profile_of) -> None:
    clause = Clause("c", RUIAN_2023, (), "", "消费", "提高电动自行车新车购买补贴力度。"
                    "单品售价6000元以下的手机、平板等数码产品，按照15%补贴，最高补贴500元。")
    profile = profile_of("电动自行车新车补贴多少钱")
    # the sentence after the lead-in is another product's subsidy: quoted for context, not the answer
    unrelated = choose_sentences(scored(profile, clause, 0.9, [0.9, 0.2]), profile, DEFAULT_CONFIG)
    assert unrelated.quote.startswith("提高电动自行车新车购买补贴力度") and not unrelated.stated
    # rated (nearly) as highly as the lead-in: it states the asked figure
    details = choose_sentences(scored(profile, clause, 0.9, [0.9, 0.8]), profile, DEFAULT_CONFIG)
    assert details.stated and "500元" in details.quote


def test_a_sentence_stating_the_asked_kind_joins_at_a_share_of_the_best(profile_of) -> None:
    clause = Clause("c", RUIAN_2023, (), "", "外贸", "加大外贸支持力度。出口信用保险保费补助比例为60%。"
                    "涉美出口信用保险保费补助比例为80%。另行安排其他事项。")
    profile = profile_of("出口信用保险补助比例是多少")
    joined = choose_sentences(scored(profile, clause, 0.9, [0.1, 0.9, 0.45, 0.1]), profile, DEFAULT_CONFIG)
    assert "60%" in joined.quote and "80%" in joined.quote
    # below the share, or stating no figure, a sentence stays out
    alone = choose_sentences(scored(profile, clause, 0.9, [0.1, 0.9, 0.3, 0.1]), profile, DEFAULT_CONFIG)
    assert "80%" not in alone.quote
    assert "另行安排" not in choose_sentences(scored(profile, clause, 0.9, [0.1, 0.9, 0.1, 0.8]), profile,
                                           DEFAULT_CONFIG).quote


def test_a_further_figure_joins_only_in_a_sentence_naming_something_asked(profile_of) -> None:
    # the clause's other figure of the asked kind, about something else, is a neighbour, not an answer
    profile = profile_of("出口信用保险补助比例是多少")
    neighbour = Clause("c", RUIAN_2023, (), "", "外贸", "加大外贸支持力度。出口信用保险保费补助比例为60%。"
                       "全年外贸企业数量增长15%。")
    item = choose_sentences(scored(profile, neighbour, 0.9, [0.1, 0.9, 0.8]), profile, DEFAULT_CONFIG)
    assert "60%" in item.quote and "15%" not in item.quote
    # ... and so is one repeating only asked words the quote holds, without the asked item (出口信用保险)
    repeating = replace(neighbour, text="加大外贸支持力度。出口信用保险保费补助比例为60%。外贸企业补助比例为15%。")
    item = choose_sentences(scored(profile, repeating, 0.9, [0.1, 0.9, 0.8]), profile, DEFAULT_CONFIG)
    assert "60%" in item.quote and "15%" not in item.quote
    # a sentence naming an asked word the quote lacks answers too, and so does one of the same item
    both = profile_of("出口信用保险和汇率避险的保费补助比例是多少")
    naming = replace(neighbour, text="加大外贸支持力度。出口信用保险保费补助比例为60%。汇率避险保费补助比例为15%。")
    assert "15%" in choose_sentences(scored(both, naming, 0.9, [0.1, 0.9, 0.8]), both, DEFAULT_CONFIG).quote
    same_item = replace(neighbour, text="加大外贸支持力度。出口信用保险保费补助比例为60%。涉美出口信用保险保费另加补助15%。")
    assert "15%" in choose_sentences(scored(profile, same_item, 0.9, [0.1, 0.9, 0.8]), profile, DEFAULT_CONFIG).quote


def test_a_condition_question_quotes_a_sentence_naming_the_asked_words_more_fully(profile_of) -> None:
    # "能不能" asks a condition, recognised by words ("符合", "对…的") that the answering sentence need
    # not use: the sentence naming the asked words more fully than the best joins without them
    asked = profile_of("外贸企业的出口信用保险保费能不能补助？")
    clause = Clause("c", RUIAN_2023, (), "", "外贸", "对符合条件的外贸企业给予支持。出口信用保险保费可按规定给予补助。")
    item = choose_sentences(scored(asked, clause, 0.9, [0.9, 0.6]), asked, DEFAULT_CONFIG)
    assert "出口信用保险保费可按规定给予补助" in item.quote
    # a figure is recognised by the figure itself: a fuller sentence without one does not join
    figure = profile_of("出口信用保险保费补助比例是多少")
    clause = replace(clause, text="补助比例为60%。出口信用保险保费按规定给予补助。")
    assert "按规定" not in choose_sentences(scored(figure, clause, 0.9, [0.9, 0.6]), figure, DEFAULT_CONFIG).quote


def test_a_condition_is_read_aloud_from_the_fragment_naming_the_asked_words(profile_of) -> None:
    # read aloud, the fragment naming what was asked comes first, not the one with "符合…的"
    text = "对符合条件的外贸企业给予支持，出口信用保险保费可按规定给予补助。"
    spans = [Span(0, len(text), text)]
    condition = profile_of("外贸企业的出口信用保险保费能不能补助？")
    assert fragments(text, spans, condition, DEFAULT_CONFIG)[0].text.startswith("出口信用保险保费")
    # a figure is read from the fragment stating it, however few asked words it names
    text = "出口信用保险保费按规定给予补助，比例为60%。"
    figure = profile_of("出口信用保险保费补助比例是多少")
    assert fragments(text, [Span(0, len(text), text)], figure, DEFAULT_CONFIG)[0].text.startswith("比例为60%")


def test_a_segment_too_long_to_read_is_read_only_when_it_says_more_of_what_was_asked(profile_of) -> None:
    """A list of who qualifies runs past the fragment length: read it when it alone names the asked
    thing (else a neighbouring segment is read as the answer), not when a shorter one names as much."""
    text = "对外贸企业给予补助，对开展汇率避险业务的中小微外贸企业给予保费补助。"
    spans = [Span(0, len(text), text)]
    short = replace(DEFAULT_CONFIG, hotline_fragment_chars=20)  # the second segment is 23 characters
    hedging = profile_of("开展汇率避险业务有补助吗")
    assert fragments(text, spans, hedging, short)[0].text.startswith("对开展汇率避险业务")
    trade = profile_of("外贸企业有补助吗")
    assert [f.text for f in fragments(text, spans, trade, short)] == ["对外贸企业给予补助，"]


def test_a_read_aloud_fragment_keeps_a_label_with_what_it_labels_and_a_ratio_whole(profile_of) -> None:
    profile = profile_of("出口信用保险保费补助比例是多少")
    label = "出口信用保险：保费补助比例为60%。"
    [first, *_] = fragments(label, [Span(0, len(label), label)], profile, DEFAULT_CONFIG)
    assert first.text.startswith("出口信用保险：") and "60%" in first.text
    ratio = "出口信用保险保费由财政与企业按3:2分担，另行安排。"
    [first, *_] = fragments(ratio, [Span(0, len(ratio), ratio)], profile, DEFAULT_CONFIG)
    assert "3:2分担" in first.text
    # a part ("其中…") is read with the whole it is part of, when both fit a fragment
    part = "投保后给予保费60%的补助，其中涉美出口信用保险的保费给予80%的补助。"
    [first, *_] = fragments(part, [Span(0, len(part), part)], profile, DEFAULT_CONFIG)
    assert first.text.startswith("投保后给予保费60%的补助，其中") and "80%" in first.text
    # so is a condition ending in "的" ("对…的，"): it says for whom, the next segment what they get
    condition = "对企业投保出口信用保险的，给予保费60%的补助。"
    assert [f.text for f in fragments(condition, [Span(0, len(condition), condition)], profile,
                                      DEFAULT_CONFIG)] == [condition]
    long_condition = "对" + "推进有关工作落实" * 7 + "的，给予保费60%的补助。"  # 59 + 11 characters: apart
    assert [f.text for f in fragments(long_condition, [Span(0, len(long_condition), long_condition)], profile,
                                      DEFAULT_CONFIG)] == ["给予保费60%的补助。"]
    long_part = "给予保费60%的补助，其中" + "推进有关工作落实" * 4 + "涉美出口信用保险的保费给予80%的补助。"  # 53 + 11
    apart = [f.text for f in fragments(long_part, [Span(0, len(long_part), long_part)], profile, DEFAULT_CONFIG)]
    assert len(apart) == 2 and not any("60%" in f and "80%" in f for f in apart)
    # a segment naming only a year labels the next one: never read out as "2024年" alone
    for year in ("2024年，", "到2025年，", "2024 年起，"):
        dated = year + "出口信用保险保费补助比例为60%。"
        assert [f.text for f in fragments(dated, [Span(0, len(dated), dated)], profile, DEFAULT_CONFIG)] == [dated]


def test_a_question_of_no_asked_kind_quotes_each_close_sentence_holding_its_words(profile_of) -> None:
    # "有没有" asks no kind of fact that a sentence could state: the sentence model's close sentences
    # are each quoted when they hold the asked words as fully as the best, not one that holds fewer
    first = "支持外贸企业投保出口信用保险，扩大出口信用保险覆盖面，稳定外贸企业的出口订单。"
    second = "对外贸企业投保的出口信用保险保费给予支持。"
    clause = Clause("c", WENZHOU_2024, (), "44", "外贸", first + second + "支持外贸企业开展汇率避险。")
    profile = profile_of("外贸企业投保出口信用保险有没有支持？")
    assert not profile.kinds and len(first) >= DEFAULT_CONFIG.min_quote_chars
    item = choose_sentences(scored(profile, clause, 0.9, [0.7, 0.6, 0.65]), profile, DEFAULT_CONFIG)
    assert [s.text for s in item.spans] == [first, second]
    # far below the best sentence (under sentence_relative of it): not quoted
    alone = choose_sentences(scored(profile, clause, 0.9, [0.7, 0.2, 0.65]), profile, DEFAULT_CONFIG)
    assert [s.text for s in alone.spans] == [first]


def test_a_part_with_no_words_of_its_own_is_stated_by_no_sentence_in_particular(profile_of) -> None:
    """"报会几家" (a word no clause holds): any sentence with a figure would "state" it, so none is
    added for it (one was: a sentence of other figures, quoted before the one answering)."""
    texts = ["对新引进的博士给予最高30万元安家补助", "出口信用保险保费给予60%的补助"]
    assert best_stating(Part("报会补多少", frozenset({Kind.FIGURE}), "", ()), texts) is None
    insurance = profile_of("出口信用保险保费补多少")  # words the corpus holds pick their sentence
    assert best_stating(Part("出口信用保险保费补多少", frozenset({Kind.FIGURE}), "", insurance.terms), texts) == 1


def test_a_parts_figure_is_not_taken_from_a_text_without_the_asked_items_words() -> None:
    """"保费按百分之几补": "按上级拨付经费的25%给予补助" states a rate and holds "补助", but not the asked
    item "保费": it is a neighbouring measure's rate, and the part is left unstated rather than
    answered with it."""
    part = Part("保费按百分之几补", frozenset({Kind.RATIO}), "",
                (Term("保费", ("保费",), 1.0, 0.6, item=True), Term("补助", ("补助",), 0.5, 0.3)))
    neighbour, topic = "按上级拨付经费的25%给予补助", "保费按规定给予补助"
    assert best_stating(part, [neighbour, topic], lead="加大外贸支持力度") is None
    assert best_stating(part, [neighbour, topic, "保费补助比例为60%"], lead="加大外贸支持力度") == 2
    assert best_stating(part, [neighbour, topic], lead="出口信用保险保费补助") == 0  # the lead names it
    assert best_stating(part, [neighbour, topic]) == 0  # fragments of chosen sentences: not checked
