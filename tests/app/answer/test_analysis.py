"""Question analysis: weighted topic words, scope, focus on the asking clauses, parts."""
from __future__ import annotations

from app.answer.analysis import asked_item_words, focus_text
from app.answer.corpus import general_rarity
from app.answer.kinds import Kind


def test_region_and_year_are_scope_not_topic(profile_of) -> None:
    profile = profile_of("瑞安2023年出口信用保险补助比例是多少")
    words = {t.word for t in profile.terms}
    assert "瑞安" not in words and not any("2023" in w for w in words)
    assert profile.regions == ("瑞安市",) and profile.years == (2023,)


def test_a_four_digit_number_is_a_year_only_before_年(profile_of) -> None:
    assert profile_of("营收2000万的企业有什么补助").years == ()


def test_words_no_clause_holds_are_foreign_and_weigh_nothing(profile_of) -> None:
    profile = profile_of("外贸企业出口能减免多少契税")
    assert "契税" in {t.word for t in profile.foreign}
    assert all(t.idf > 0 for t in profile.terms) and all(t.idf == 0 for t in profile.foreign)


def test_rare_words_weigh_more_than_common_ones(fake_corpus) -> None:
    assert fake_corpus.idf("容积率") > fake_corpus.idf("企业")
    assert general_rarity("契税") > general_rarity("我们")


def test_focus_is_the_asking_clause_and_the_clause_it_leans_on() -> None:
    assert focus_text("我家在瑞安山区，听说要弄乡村寄宿制学校，打算弄几所", 2) == "听说要弄乡村寄宿制学校，打算弄几所"
    assert focus_text("我三十了还单着，今年新增残疾人就业多少人", 2) == "今年新增残疾人就业多少人"
    assert focus_text("没有问句的陈述", 2) == "没有问句的陈述"


def test_story_words_are_not_asked(profile_of) -> None:
    profile = profile_of("我们厂在瑞安做汽配，出口信用保险补助比例是多少？")
    assert {t.word for t in profile.focus_terms} >= {"出口", "补助"}
    assert "汽配" not in {t.word for t in profile.focus_terms + profile.focus_foreign}


def test_multi_part_questions_have_parts_with_their_own_units(profile_of) -> None:
    profile = profile_of("新增慈善组织几家？慈善信托要扩大多少？")
    assert [p.unit for p in profile.parts] == ["家", ""]
    assert profile_of("出口信用保险补助比例是多少").parts == ()


def test_a_list_of_asks_is_one_part_each_and_words_listed_before_one_ask_are_not(profile_of) -> None:
    listed = profile_of("出口信用保险覆盖多少家、保费补助比例是多少？")
    assert [p.text for p in listed.parts] == ["出口信用保险覆盖多少家", "保费补助比例是多少"]
    assert [p.kinds for p in listed.parts] == [{Kind.FIGURE}, {Kind.RATIO}]
    # "新建、" asks nothing: it stays with the ask it lists a word for
    shared = profile_of("新建、改造多少个工业用地项目？补助比例是多少？")
    assert shared.parts[0].text == "新建、改造多少个工业用地项目" and len(shared.parts) == 2
    # ... and words listed after the last ask belong to it
    trailing = profile_of("政府拿多少钱出来建医院、养老院这一类项目？病床要增加多少张？")
    assert [p.text for p in trailing.parts] == ["政府拿多少钱出来建医院、养老院这一类项目", "病床要增加多少张"]


def test_each_part_of_a_question_asks_its_own_kind(profile_of) -> None:
    # in one question "多少天" is a time; in two parts "多少奖励" is a figure beside the time asked
    profile = profile_of("房票安置能多拿多少奖励？有效期多久？")
    assert [p.kinds for p in profile.parts] == [{Kind.FIGURE}, {Kind.TIME}]
    assert profile.kinds == {Kind.FIGURE, Kind.TIME} and profile.asks_figure
    assert profile_of("审批要等多久，多少天能办好").kinds == {Kind.TIME}


def test_a_place_no_document_mentions_is_unknown(profile_of) -> None:
    assert profile_of("台州对研发费用按什么比例补助？").unknown_places == ("台州",)
    assert profile_of("瑞安对研发费用按什么比例补助？").unknown_places == ()


def test_an_asking_clause_that_points_back_takes_the_clause_before_it() -> None:
    assert focus_text("听说能进温州的编制池,他这种情况能进吗", 2) == "听说能进温州的编制池，他这种情况能进吗"
    assert focus_text("我在乐清上班,今年新增残疾人就业岗位多少个", 2) == "今年新增残疾人就业岗位多少个"


def test_a_headings_year_speaks_for_its_clauses(profile_of) -> None:
    """The 2023 report's "一、2022年主要工作回顾" answers for 2022 (no 2022 document exists), and not for
    2023, though the report is of 2023: its figures are 2022's results, not 2023's targets. A clause
    under no year heading speaks for its document's year."""
    from policyqa.model import Clause, Document

    report = Document(doc_id="r", title="政府工作报告", region="瑞安市", year=2023)
    review = Clause("r:1", report, ("一、2022年主要工作回顾",), "", "回顾", "新增养老床位100张")
    plan = Clause("r:2", report, ("二、2023年主要目标任务",), "", "目标", "新增养老床位200张")
    elsewhere = Clause("w:1", Document(doc_id="w", title="报告", region="温州市", year=2023),
                       ("一、2022年主要工作回顾",), "", "回顾", "新增养老床位300张")
    plain = Clause("p:1", Document(doc_id="p", title="工作方案", region="瑞安市", year=2023),
                   ("一、养老服务",), "", "养老", "新增养老床位400张")
    asked = profile_of("瑞安2022年新增多少养老床位")
    assert asked.years == (2022,)
    assert asked.covers(review) and not asked.covers(plan) and not asked.covers(elsewhere)
    this_year = profile_of("瑞安2023年新增多少养老床位")
    assert not this_year.covers(review) and this_year.covers(plan) and this_year.covers(plain)
    no_year = profile_of("瑞安新增多少养老床位")  # no year named: the region decides
    assert no_year.covers(review) and no_year.covers(plain)
    # "今年" is each document's own year: the report's plan and a plain clause, not its look back
    now = profile_of("瑞安今年新增多少养老床位")
    assert now.this_year and now.covers(plan) and now.covers(plain) and not now.covers(review)
    assert not profile_of("瑞安今年（2022年）新增多少养老床位").this_year  # the year written decides


def test_a_region_written_beside_its_own_year_is_asked_of_that_year_only(profile_of) -> None:
    from policyqa.model import Clause, Document

    def clause(region: str, year: int) -> Clause:
        doc = Document(doc_id=f"{region}{year}", title="方案", region=region, year=year)
        return Clause(f"{doc.doc_id}:1", doc, ("一、养老服务",), "", "养老", "新建老年食堂50家")

    paired = profile_of("瑞安2025年、温州2024年各新建多少家老年食堂")
    assert paired.years_of("瑞安市") == (2025,) and paired.years_of("温州市") == (2024,)
    assert paired.covers(clause("瑞安市", 2025)) and paired.covers(clause("温州市", 2024))
    assert not paired.covers(clause("瑞安市", 2024)) and not paired.covers(clause("温州市", 2025))
    assert not paired.in_scope(clause("瑞安市", 2024).doc)
    every = profile_of("瑞安和温州2024年、2025年各新建多少家老年食堂")  # not written in pairs
    assert every.covers(clause("瑞安市", 2024)) and every.covers(clause("温州市", 2025))


def test_the_asked_item_is_the_noun_by_the_asking_words_never_the_year() -> None:
    # "消费券" is one of our policy terms (tagged a noun in index/data/userdict.txt, unknown to jieba's
    # own dictionary); "2025" is the question's scope
    assert asked_item_words("瑞安2025年会发多少钱的消费券", 2, 1) == {"消费券"}
    assert asked_item_words("温州2024年市里发不发消费券，一共发多少", 2, 1) == {"消费券"}


def test_a_yes_no_question_asks_about_what_follows_有没有() -> None:
    assert asked_item_words("温州网约车司机有没有油价补贴", 2, 1) == {"油价", "补贴"}
    assert asked_item_words("没有问句的陈述", 2, 1) == set()


def test_a_yes_no_question_with_吗_asks_about_what_it_has() -> None:
    # "有…吗" names the asked item between them; "没有/所有/具有" are no such question
    assert asked_item_words("乐清老年食堂有补贴吗", 2, 1) == {"补贴"}
    assert asked_item_words("开小店的有税收优惠吗", 2, 1) == {"税收", "优惠"}
    assert asked_item_words("所有企业都能申请吗", 2, 1) == set()
    assert asked_item_words("没有社保的能参加吗", 2, 1) == set()


def test_what_is_counted_is_named_right_after_its_measure_word() -> None:
    # not the noun in front ("计划"), and whatever jieba tags the word ("慈善" is no noun to it)
    assert asked_item_words("2025年瑞安计划新增几家慈善组织", 2, 1) == {"慈善"}
    assert asked_item_words("市里今年计划新增多少个学位", 2, 1) == {"学位"}
    # no word after the measure word: the nouns in front, as for any question
    assert asked_item_words("高标准农田要新建提升多少亩", 2, 1) == {"高标准", "农田"}


def test_the_corpus_text_is_scanned_once_per_word() -> None:
    from app.answer.corpus import CorpusStats
    from index.searching import PhraseCounts

    scans: list[str] = []

    class CountingText(str):
        def __contains__(self, word: object) -> bool:
            scans.append(f"in {word}")
            return super().__contains__(word)  # type: ignore[operator]

        def count(self, word: str, *args) -> int:  # type: ignore[override]
            scans.append(f"count {word}")
            return super().count(word, *args)

    corpus = CorpusStats([], 2, {}, PhraseCounts(CountingText("出口信用保险\n首台套保险补偿")))
    assert corpus.mentions("保险") and corpus.mentions("保险") and not corpus.mentions("AED")
    assert corpus.count("保险") == 2 and corpus.count("保险") == 2
    assert scans == ["in 保险", "in aed", "count 保险"]
