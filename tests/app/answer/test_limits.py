"""The count and length limits of AnswerConfig, each with an example on either side of it.

No question of the project set or the training set sits on these edges (moving one of these values
a tenth changes no key fact there: eval/bench/mutants.md), so the examples are built: each shows
what the limit does, and moving the value one step (`make mutants`) puts one of them on the wrong side.
"""
from __future__ import annotations

from dataclasses import replace

from app.answer.analysis import asked_item_words
from app.answer.compose import Group, group_by_document
from app.answer.config import DEFAULT_CONFIG
from app.answer.hotline import compose_hotline
from app.answer.pipeline import candidate_pool
from app.answer.select import Item, choose_clauses, choose_sentences, fragments, narrow
from app.text.spans import Span
from policyqa.model import Clause, Document, Hit

from ..answer_checks import TODAY
from ..answer_fakes import RUIAN_2023, scored

FIGURE = "出口信用保险保费补助比例为60%。"  # states the asked figure of "出口信用保险补助比例是多少"
QUESTION = "出口信用保险补助比例是多少"


def _documents(count: int) -> list[Document]:
    return [replace(RUIAN_2023, doc_id=f"doc-{i}", region=f"第{i}市", year=2020 + i) for i in range(count)]


def _clause(doc: Document, n: int, text: str = FIGURE) -> Clause:
    return Clause(f"{doc.doc_id}-{n}", doc, (), str(n), "外贸", text)


def _padded(sentence_end: str, length: int, filler: str = "推进有关工作落实，") -> str:
    """A sentence of exactly `length` characters, unrelated words in front of `sentence_end`."""
    body = (filler * (length // len(filler) + 1))[:length - len(sentence_end)]
    return body + sentence_end


def test_the_asked_item_is_two_nouns_in_front_of_the_asking_words_and_one_behind() -> None:
    """item_words_before, item_words_after: not the farther 企业 in front, not the second 奖励 behind."""
    focus = "企业职工社保补贴给多少现金奖励"
    items = asked_item_words(focus, DEFAULT_CONFIG.item_words_before, DEFAULT_CONFIG.item_words_after)
    assert items == {"职工", "补贴", "现金"}


def test_the_five_best_retrieved_clauses_are_read(profile_of) -> None:
    """candidates: of twelve clauses of one document, the first five."""
    [doc] = _documents(1)
    hits = [Hit(_clause(doc, n), 1.0 - n / 100, "hybrid") for n in range(12)]
    assert [h.clause.clause_id for h in candidate_pool(profile_of(QUESTION), hits, DEFAULT_CONFIG)] == [
        f"doc-0-{n}" for n in range(5)]


def test_the_ranking_model_reorders_the_thirty_best_fused_clauses() -> None:
    """rerank_depth: with a ranking model that puts the lowest fused rank first, the clause fused at
    rank 30 comes first; the one at rank 31 was never fetched for it."""
    from app.answer.decision import CLAUSE_FEATURES, LinearModel, load_model
    from app.service import AnswerService
    from policyqa.config import load_settings

    from ..answer_fakes import FakeIndex

    [doc] = _documents(1)
    n = len(CLAUSE_FEATURES)
    last_first = LinearModel(CLAUSE_FEATURES, (0.0,) * n, (1.0,) * n,
                             tuple(-1.0 if name == "reciprocal_rank" else 0.0 for name in CLAUSE_FEATURES), 0.0)
    model = replace(load_model(), ranker=last_first, without_semantic=None)
    index = FakeIndex(tuple(_clause(doc, k) for k in range(40)))  # equal scores: fused in this order
    retrieved, candidates = AnswerService(load_settings({}), index=index, model=model).retrieve(QUESTION)
    assert retrieved[0].clause.clause_id == candidates[0].clause.clause_id == "doc-0-29"
    assert [h.clause.clause_id for h in retrieved[:2]] == ["doc-0-29", "doc-0-28"]


def test_a_named_region_reads_two_more_of_its_own_clauses(profile_of) -> None:
    """scoped_candidates: a question naming 瑞安 reads the five best, then the next two of 瑞安, not a third."""
    hits = [Hit(_clause(doc, 1), 1.0 - rank / 100, "hybrid") for rank, doc in enumerate(_documents(5))]
    hits += [Hit(_clause(RUIAN_2023, n), 0.9 - n / 100, "hybrid") for n in range(4)]
    pool = candidate_pool(profile_of("瑞安" + QUESTION), hits, DEFAULT_CONFIG)
    assert [h.clause.clause_id for h in pool[5:]] == [f"{RUIAN_2023.doc_id}-0", f"{RUIAN_2023.doc_id}-1"]


def test_no_region_named_the_best_clause_of_each_document_down_to_rank_ten_is_read(profile_of) -> None:
    """document_candidates: a document first retrieved at rank 10 is read (another region's answer),
    one first retrieved at rank 11 is not."""
    docs = _documents(12)
    hits = [Hit(_clause(doc, 1), 1.0 - rank / 100, "hybrid") for rank, doc in enumerate(docs)]
    pool = candidate_pool(profile_of(QUESTION), hits, DEFAULT_CONFIG)
    read = {h.clause.doc.doc_id for h in pool}
    assert "doc-9" in read and "doc-10" not in read  # ranks 10 and 11
    assert len(pool) == 10


def test_a_further_clause_is_cited_at_half_the_best_ones_probability(profile_of) -> None:
    """relative_probability: beside a clause at 0.9, one at 0.45 is cited, one at 0.42 is not."""
    profile = profile_of(QUESTION)
    best, second = (scored(profile, _clause(doc, 1), 0.9) for doc in _documents(2))
    assert len(choose_clauses([best, replace(second, probability=0.45)], profile, 0.3, DEFAULT_CONFIG)) == 2
    assert len(choose_clauses([best, replace(second, probability=0.42)], profile, 0.3, DEFAULT_CONFIG)) == 1


def test_four_clauses_are_cited_at_most(profile_of) -> None:
    """max_citations: five documents answering equally, four cited."""
    profile = profile_of(QUESTION)
    passing = [scored(profile, _clause(doc, 1), 0.9) for doc in _documents(5)]
    assert len(choose_clauses(passing, profile, 0.5, DEFAULT_CONFIG)) == 4


def test_the_citation_cap_drops_a_document_s_second_clause_before_another_document(profile_of) -> None:
    """max_citations with no place named: four documents answer, the first with two clauses; the four
    cited are one of each (the cap used to drop the fourth document)."""
    profile = profile_of(QUESTION)
    first, *others = _documents(4)
    passing = [scored(profile, _clause(first, n), p) for n, p in ((1, 0.95), (2, 0.94))]
    passing += [scored(profile, _clause(doc, 1), p) for doc, p in zip(others, (0.9, 0.85, 0.8), strict=True)]
    cited = [s.candidate.hit.clause.clause_id for s in choose_clauses(passing, profile, 0.5, DEFAULT_CONFIG)]
    assert cited == ["doc-0-1", "doc-1-1", "doc-2-1", "doc-3-1"]
    roomy = replace(DEFAULT_CONFIG, max_citations=5)  # room for all: in probability order
    cited = [s.candidate.hit.clause.clause_id for s in choose_clauses(passing, profile, 0.5, roomy)]
    assert cited == ["doc-0-1", "doc-0-2", "doc-1-1", "doc-2-1", "doc-3-1"]


def test_two_clauses_of_one_document_are_cited_at_most(profile_of) -> None:
    """max_per_document: three passing clauses of one document, two cited."""
    profile = profile_of(QUESTION)
    [doc] = _documents(1)
    passing = [scored(profile, _clause(doc, n), 0.9) for n in range(3)]
    assert len(choose_clauses(passing, profile, 0.5, DEFAULT_CONFIG)) == 2


def _item(clause: Clause, probability: float) -> Item:
    span = Span(0, len(clause.text), clause.text)
    return Item(clause, (span,), (span,), probability, True, clause.text)


def test_a_named_region_is_answered_first_and_two_other_documents_after_it(profile_of) -> None:
    """max_other_documents: the named region's document, then the two best of three others."""
    profile = profile_of("瑞安" + QUESTION)
    others = _documents(3)
    items = [_item(_clause(doc, 1), p) for doc, p in zip(others, (0.9, 0.8, 0.7), strict=True)] + [_item(_clause(RUIAN_2023, 1), 0.5)]
    groups = group_by_document(items, profile, DEFAULT_CONFIG)
    assert [g.doc.doc_id for g in groups] == [RUIAN_2023.doc_id, "doc-0", "doc-1"]
    assert [g.primary for g in groups] == [True, False, False]


def test_a_sentence_up_to_160_characters_is_quoted_whole(profile_of) -> None:
    """max_quote_chars: at 160 characters the sentence is the quote, at 161 it is narrowed to the
    comma segments that answer."""
    profile = profile_of(QUESTION)
    for length, whole in ((160, True), (161, False)):
        text = _padded("，" + FIGURE, length)
        span = narrow(text, Span(0, len(text), text), profile, DEFAULT_CONFIG)
        assert (span.text == text) is whole, length
        assert "60%" in span.text


def test_a_quote_stretches_over_the_sentences_between_its_spans_up_to_320_characters(profile_of) -> None:
    """max_whole_quote_chars: two answering sentences of a clause with an unrelated one between are
    quoted as one stretch when it is at most 320 characters long, else the best span alone."""
    profile = profile_of(QUESTION)
    second = "涉美出口信用保险保费补助比例为80%。"
    for length, whole in ((320, True), (321, False)):
        between = _padded("。", length - len(FIGURE) - len(second))
        clause = _clause(RUIAN_2023, 1, FIGURE + between + second)
        item = choose_sentences(scored(profile, clause, 0.9, [0.9, 0.0, 0.8]), profile, DEFAULT_CONFIG)
        assert len(item.spans) == 2, length
        assert (item.quote == clause.text) is whole, length
        assert item.quote.startswith(FIGURE)


def test_three_sentences_of_a_clause_are_quoted_at_most(profile_of) -> None:
    """max_sentences: of five sentences stating the asked figure, nearly as likely, three are quoted."""
    profile = profile_of(QUESTION)
    text = "".join(f"第{i}类出口信用保险保费补助比例为{50 + i}%。" for i in range(5))
    item = choose_sentences(scored(profile, _clause(RUIAN_2023, 1, text), 0.9, [0.9] * 5), profile, DEFAULT_CONFIG)
    assert len(item.spans) == 3


def test_another_sentence_stating_the_figure_joins_at_half_the_best(profile_of) -> None:
    """sentence_relative: a second sentence stating the asked figure joins when the sentence model
    rates it at least half the best (0.5 of 1.0), not at 0.46."""
    profile = profile_of(QUESTION)
    clause = _clause(RUIAN_2023, 1, FIGURE + "涉美出口信用保险保费补助比例为80%。")
    joined = choose_sentences(scored(profile, clause, 0.9, [1.0, 0.5]), profile, DEFAULT_CONFIG)
    alone = choose_sentences(scored(profile, clause, 0.9, [1.0, 0.46]), profile, DEFAULT_CONFIG)
    assert len(joined.spans) == 2 and len(alone.spans) == 1


def test_a_best_sentence_under_30_characters_stating_nothing_asked_is_followed_by_the_next(profile_of) -> None:
    """min_quote_chars: a 29-character lead-in without the asked figure brings the sentence after
    it into the quote; a 30-character one does not."""
    profile = profile_of(QUESTION)
    for length, followed in ((29, True), (30, False)):
        lead_in = _padded("加大外贸支持力度。", length)
        clause = _clause(RUIAN_2023, 1, lead_in + "另行安排其他各项相关工作。")
        item = choose_sentences(scored(profile, clause, 0.9, [0.9, 0.1]), profile, DEFAULT_CONFIG)
        assert len(item.spans) == (2 if followed else 1), length


def test_a_read_aloud_fragment_is_a_comma_segment_of_at_most_60_characters(profile_of) -> None:
    """hotline_fragment_chars: a segment stating the figure is read out first when it has at most 60
    characters; one of 61 only when it says more of what was asked than every shorter one, and here
    the shorter segment after it says as much (so it alone is read)."""
    profile = profile_of(QUESTION)
    shorter = FIGURE
    for length, first in ((60, True), (61, False)):
        segment = _padded(FIGURE.replace("。", "，"), length, filler="推进有关工作落实")  # one comma segment
        text = segment + shorter
        read = [f.text for f in fragments(text, [Span(0, len(text), text)], profile, DEFAULT_CONFIG)]
        assert read == ([segment, shorter] if first else [shorter]), length


def test_a_read_aloud_answer_adds_another_document_while_it_stays_within_90_characters(profile_of) -> None:
    """hotline_max_chars: each document's part is its region and year, its quote, "[n]" and its
    status ("第0市2020年：…[1]（已到期）"); after the named scope's document (47 characters), another
    of 42 (89 in all) is read, one of 47 (94) is not. Documents of the named scope (all, when none is
    named) are each read whatever the length: two of 47 both are."""
    profile = profile_of(QUESTION)

    def read(*lengths: int, primary: bool) -> int:
        groups = []
        for n, (doc, length) in enumerate(zip(_documents(len(lengths)), lengths, strict=True)):
            text = _padded(FIGURE, length)
            span = Span(0, len(text), text)
            groups.append(Group(doc, (Item(_clause(doc, 1, text), (span,), (span,), 0.9, True, text),),
                                primary or n == 0))
        _, citations = compose_hotline(profile, groups, TODAY, DEFAULT_CONFIG)
        return len(citations)

    assert read(30, 25, primary=False) == 2
    assert read(30, 30, primary=False) == 1
    assert read(30, 30, primary=True) == 2
    assert read(30, 30, 30, 30, primary=True) == 4


def test_a_read_aloud_answer_with_room_for_one_other_document_reads_the_one_stating_the_figure(profile_of) -> None:
    """hotline_max_chars leaves room for one of two 47-character parts of documents outside the named
    scope: the document whose quote states the asked figure is read, not the likelier one whose quote
    does not."""
    profile = profile_of(QUESTION)
    unstated_doc, stating_doc = _documents(2)
    groups = []
    for doc, text, stated in ((unstated_doc, _padded("出口信用保险保费按规定给予补助。", 30), False),
                              (stating_doc, _padded(FIGURE, 30), True)):
        span = Span(0, len(text), text)
        groups.append(Group(doc, (Item(_clause(doc, 1, text), (span,), (span,), 0.9, stated, text),), False))
    spoken, citations = compose_hotline(profile, groups, TODAY, DEFAULT_CONFIG)
    assert [c.clause.doc for c in citations] == [stating_doc] and "60%" in spoken


def test_a_read_aloud_answer_gives_every_document_its_best_fragment_before_one_its_second(profile_of) -> None:
    """hotline_max_chars: a first document with two fragments stating figures would fill the answer
    alone (its part with both is 63 characters, the second document's 33); each document's best
    fragment is read first, and the first one's second fragment only if room is left."""
    profile = profile_of(QUESTION)
    first_doc, second_doc = _documents(2)
    first = "出口信用保险保费补助比例为60%，" + _padded("展会补助比例为50%。", 30, filler="推进有关工作落实")
    second = "出口信用保险保费补助比例为70%。"
    groups = []
    for doc, text in ((first_doc, first), (second_doc, second)):
        span = Span(0, len(text), text)
        item = Item(_clause(doc, 1, text), (span,), fragments(text, [span], profile, DEFAULT_CONFIG), 0.9, True, text)
        groups.append(Group(doc, (item,), True))
    assert len(groups[0].items[0].fragments) == 2  # two comma segments, both stating a share
    spoken, citations = compose_hotline(profile, groups, TODAY, DEFAULT_CONFIG)
    assert [c.clause.doc for c in citations] == [first_doc, second_doc]
    assert "60%" in spoken and "70%" in spoken and "50%" not in spoken
    # with a short second fragment there is room for it too, read in text order
    short = "出口信用保险保费补助比例为60%，展会补助比例为50%。"
    span = Span(0, len(short), short)
    groups[0] = Group(first_doc, (Item(_clause(first_doc, 1, short), (span,),
                                        fragments(short, [span], profile, DEFAULT_CONFIG), 0.9, True, short),), True)
    spoken, _ = compose_hotline(profile, groups, TODAY, DEFAULT_CONFIG)
    assert spoken.index("60%") < spoken.index("50%") < spoken.index("70%")


def test_a_read_aloud_answer_fills_the_named_scope_before_reading_another_document(profile_of) -> None:
    """The named place's document keeps its further fragments; another document is read only in the
    room they leave."""
    profile = profile_of(QUESTION)
    named, other = _documents(2)
    first = "出口信用保险保费补助比例为60%，" + _padded("涉美出口信用保险补助比例为80%。", 30, filler="推进有关工作落实")
    groups = []
    for doc, text, primary in ((named, first, True), (other, "出口信用保险保费补助比例为70%。", False)):
        span = Span(0, len(text), text)
        item = Item(_clause(doc, 1, text), (span,), fragments(text, [span], profile, DEFAULT_CONFIG), 0.9, True, text)
        groups.append(Group(doc, (item,), primary))
    spoken, citations = compose_hotline(profile, groups, TODAY, DEFAULT_CONFIG)
    assert "60%" in spoken and "80%" in spoken and "70%" not in spoken
    assert [c.clause.doc for c in citations] == [named]


def test_a_read_aloud_answer_reads_a_document_by_its_best_fragment_or_not_at_all(profile_of) -> None:
    """hotline_max_chars: with 16 characters left, a document outside the named scope whose best
    fragment (stating the asked share) needs 29 is not read, rather than by a lesser fragment that
    fits ("另行给予10%")."""
    profile = profile_of(QUESTION)
    first_doc, second_doc = _documents(2)
    groups = []
    for doc, text in ((first_doc, _padded(FIGURE, 40, filler="推进有关工作落实")),
                      (second_doc, _padded("出口信用保险保费补助比例为70%，", 30, filler="推进有关工作落实") + "另行给予10%。")):
        span = Span(0, len(text), text)
        item = Item(_clause(doc, 1, text), (span,), fragments(text, [span], profile, DEFAULT_CONFIG), 0.9, True, text)
        groups.append(Group(doc, (item,), doc is first_doc))
    best, lesser = groups[1].items[0].fragments  # the one stating the asked share first
    assert best.text.endswith("补助比例为70%，") and lesser.text == "另行给予10%。"
    spoken, citations = compose_hotline(profile, groups, TODAY, DEFAULT_CONFIG)
    assert [c.clause.doc for c in citations] == [first_doc] and "10%" not in spoken
