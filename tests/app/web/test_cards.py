"""Rendering for the chat: escaping, status badges, quote highlighting, plain text for copying."""
from __future__ import annotations

import re
from datetime import date

from app.web import cards as web_cards
from policyqa.model import Answer, Citation, Hit

from .fakes import CLAUSES, DRAFT, RUIAN, WENZHOU

TODAY = date(2025, 6, 1)
ATTACK = '<img src=x onerror=alert(1)><script>alert(2)</script>[x](javascript:alert(3)) ${alert(4)} **b**'


def _no_live_markup(rendered: str) -> None:
    """Nothing from the attack string survives as a tag, link, template or emphasis."""
    for bad in ("<img", "<script", "onerror=", "](", "${", "**", "javascript:"):
        assert bad not in rendered


def test_escape_text_neutralises_html_markdown_and_templates() -> None:
    rendered = web_cards.escape_text(ATTACK + "\n第二行")
    _no_live_markup(rendered)
    assert rendered.endswith("<br>第二行")
    assert "&#60;img src&#61;x" in rendered


def test_status_badges() -> None:
    assert web_cards.status_badge(DRAFT, TODAY)[0] == "征求意见稿"
    assert web_cards.status_badge(RUIAN, TODAY)[0] == "已过期"
    assert web_cards.status_badge(RUIAN, date(2023, 6, 1))[0] == "现行有效"
    assert web_cards.status_badge(WENZHOU, TODAY)[0] == "未注明有效期"  # states no validity


def test_highlight_marks_the_quote_inside_the_escaped_clause() -> None:
    clause = CLAUSES["draft"]  # its text contains a literal <b> tag
    marked = web_cards.highlight_quote(clause.text, "对短期出口信用保险保费按规定给予补助。")
    assert "<mark>对短期出口信用保险保费按规定给予补助。</mark>" in marked
    assert "<b>" not in marked and "&#60;b&#62;" in marked


def test_highlight_marks_each_sentence_of_a_split_quote() -> None:
    text = "甲。乙丙。丁。"
    assert web_cards.highlight_quote(text, "甲。丁。") == "<mark>甲。</mark>乙丙。<mark>丁。</mark>"


def test_citation_card_names_document_number_region_year_path_units() -> None:
    clause = CLAUSES["瑞安市"]
    card = web_cards.citation_card(Citation(1, clause, "给予保费 60%的补助。"), TODAY)
    assert card.startswith('<details class="pqa-card"')
    for expected in ("瑞安市2023年稳进提质攻坚行动工作方案", "瑞政发&#91;2023&#93;9号", "瑞安市 · 2023年",
                     "六、扩大内需和对外开放领域 › &#40;二&#41;承接举措 › 第3条", "市商务局、市经信局", "已过期"):
        assert expected in card
    assert "<mark>" in card


def test_answer_html_shows_markers_notes_and_escapes_the_question() -> None:
    clause = CLAUSES["温州市"]
    answer = Answer(question=ATTACK, found=True, text="补助不低于70%。[1]",
                    citations=(Citation(1, clause, "对企业短期出口信用保险保费给予不低于70%的补助经费。"),),
                    notes=("已按地区筛选：温州市",))
    rendered = web_cards.answer_html(answer, TODAY, resolved_from="那温州呢")
    _no_live_markup(rendered)
    assert '<sup class="pqa-ref">1</sup>' in rendered
    assert "已按地区筛选：温州市" in rendered and "温政办〔2024〕11号" in rendered
    assert "按上文理解为" in rendered


def test_llm_answers_carry_a_badge_saying_checked_repaired_or_replaced() -> None:
    clause = CLAUSES["温州市"]
    citation = Citation(1, clause, "对企业短期出口信用保险保费给予不低于70%的补助经费。")
    shown = {}
    for mode in ("extractive", "llm", "llm-repaired", "extractive-fallback"):
        answer = Answer(question="补助多少", found=True, text="补助不低于70%。[1]", citations=(citation,), mode=mode)
        shown[mode] = re.findall(r'class="pqa-mode pqa-mode-(\w+)">([^<]+)<', web_cards.answer_html(answer, TODAY))
    assert shown["extractive"] == []
    assert shown["llm"] == [("llm", "大模型回答 · 已核对")]
    assert shown["llm-repaired"][0][0] == "repaired" and "已修正" in shown["llm-repaired"][0][1]
    assert shown["extractive-fallback"][0][0] == "fallback" and "条款摘录" in shown["extractive-fallback"][0][1]


def test_plain_text_has_answer_and_sources_without_markup() -> None:
    clause = CLAUSES["瑞安市"]
    answer = Answer(question="补助比例", found=True, text="给予保费60%的补助。[1]",
                    citations=(Citation(1, clause, "给予保费 60%的补助。"),))
    plain = web_cards.answer_plain_text(answer, TODAY)
    assert plain.splitlines()[1] == "答：给予保费60%的补助。[1]"
    assert "[1] 《瑞安市2023年稳进提质攻坚行动工作方案》（瑞政发[2023]9号 · 瑞安市 · 2023年，已过期）" in plain
    assert "“给予保费 60%的补助。”" in plain
    assert not re.search(r"<[a-z]", plain)


def test_documents_table_and_notices() -> None:
    table = web_cards.documents_html([RUIAN, WENZHOU, DRAFT], TODAY)
    assert table.count("<tr>") == 4 and "征求意见稿" in table and "温政办〔2024〕11号" in table
    assert web_cards.notices_html([]) == ""
    assert "&#60;b&#62;" in web_cards.notices_html(["<b>离线</b>"])


def test_sidebar_document_list_escapes_titles() -> None:
    from dataclasses import replace

    odd = replace(WENZHOU, title="<b>温州</b>政策")
    listing = web_cards.documents_list_html([RUIAN, odd], TODAY)
    assert listing.count("<li>") == 2 and "<b>" not in listing and "已过期" in listing


def test_the_outcome_is_labelled_unless_answered() -> None:
    from dataclasses import replace

    answer = Answer(question="q", found=False, text="现有政策文件提到了相关内容，但文件未写明具体金额")
    labels = {outcome: re.findall(r'class="pqa-outcome pqa-outcome-\w+">([^<]+)<',
                                  web_cards.answer_html(replace(answer, outcome=outcome), TODAY))
              for outcome in ("answered", "not_stated", "not_found", "unknown_place")}
    assert labels["answered"] == []
    assert "未写明" in labels["not_stated"][0] and "未找到" in labels["not_found"][0] and labels["unknown_place"]


def test_an_answer_that_found_nothing_folds_the_closest_clauses_under_it_unconfirmed_and_unmarked() -> None:
    from dataclasses import replace

    hits = tuple(Hit(clause, 1.0 - i / 10, "hybrid") for i, clause in enumerate(
        [CLAUSES["瑞安市"], CLAUSES["温州市"], CLAUSES["draft"]] * 2))
    declined = Answer(question="博士安家补贴多少", found=False, text="现有政策文件中未找到关于“博士”的相关规定。",
                      retrieved=hits, outcome="not_found", reason="declined")
    rendered = web_cards.answer_html(declined, TODAY)
    nearest = rendered[rendered.index('<details class="pqa-nearest">'):]
    assert "未能确认它们回答了这个问题" in nearest and "<mark>" not in nearest
    assert nearest.count('data-nearest="1"') == web_cards.NEAREST_SHOWN  # the best five of six
    assert "瑞政发&#91;2023&#93;9号" in nearest and "温政办〔2024〕11号" in nearest
    assert rendered.index("未找到关于") < rendered.index("pqa-nearest")  # the answer first, unchanged
    attacked = replace(hits[0], clause=replace(CLAUSES["瑞安市"], text=ATTACK, title=""))
    _no_live_markup(web_cards.answer_html(replace(declined, retrieved=(attacked,)), TODAY))
    # a figure stated, a figure not stated (its related clauses are cited), a bare number: no such list
    for other in (replace(declined, found=True, outcome="answered", reason=None),
                  replace(declined, outcome="not_stated", reason="figure_not_stated"),
                  replace(declined, reason="nothing_to_look_up"), replace(declined, retrieved=())):
        assert "pqa-nearest" not in web_cards.answer_html(other, TODAY)
