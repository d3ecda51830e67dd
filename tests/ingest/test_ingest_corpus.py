"""Golden expectations for every bundled document: measures, heading paths, repairs, metadata."""
from __future__ import annotations

import re
from itertools import pairwise

import pytest

from ingest.pipeline import load_clauses
from policyqa.config import BUNDLED_CORPUS

from .ingest_helpers import by_locator, cn_numeral, measures

RUIAN_2023 = "ruian-2023-work-plan"
DRAFT_2025 = "ruian-2025-work-plan-draft"
REPORT = "ruian-2023-government-work-report"
WENZHOU = "wenzhou-2024-policies"
YUEQING = "yueqing-2023-policies"

# Rui'an 2023: per domain, the items of (一)…(四); 0 means the subsection is one unnumbered paragraph.
RUIAN_2023_ITEMS = {
    "一": (0, 0, 2, 3), "二": (0, 6, 2, 0), "三": (0, 5, 2, 3), "四": (0, 5, 2, 0),
    "五": (0, 3, 0, 2), "六": (0, 8, 0, 0), "七": (0, 8, 3, 3), "八": (0, 6, 2, 2),
}
SUBSECTIONS = ("（一）目标任务", "（二）承接举措", "（三）保障措施", "（四）向上争取的事项与内容")


def _ruian_expected_locators() -> list[str]:
    expected = ["前言"]
    for domain, counts in RUIAN_2023_ITEMS.items():
        for sub, count in zip("一二三四", counts, strict=False):
            head = f"{domain}、({sub})"
            expected += [head] if count == 0 else [f"{head}{n}" for n in range(1, count + 1)]
    return expected + ["结语第1段", "结语第2段"]


def test_wenzhou_has_66_measures_numbered_in_order(corpus):
    found = measures(corpus[WENZHOU][1])
    assert [m.number for m in found] == [str(n) for n in range(1, 67)]
    assert [m.locator for m in found] == [str(n) for n in range(1, 67)]
    assert all(m.text.startswith(f"{m.number}.") for m in found)


def test_yueqing_has_57_measures_numbered_in_order(corpus):
    found = measures(corpus[YUEQING][1])
    assert [m.number for m in found] == [str(n) for n in range(1, 58)]
    assert all(m.text.startswith(f"{m.number}．") for m in found)


def test_ruian_2025_draft_has_48_measures_numbered_across_domains(corpus):
    found = measures(corpus[DRAFT_2025][1])
    assert [m.number for m in found] == [cn_numeral(n) for n in range(1, 49)]
    assert found[25].locator == "(二十六)" and found[25].path == ("五、推进高水平对外开放",)
    assert "对短期出口信用保险保费按规定给予补助" in found[25].text


def test_ruian_2023_every_item_sits_under_its_subsection(corpus):
    clauses = corpus[RUIAN_2023][1]
    assert [c.locator for c in clauses] == _ruian_expected_locators()
    for clause in clauses:
        if clause.locator[0] in RUIAN_2023_ITEMS:
            sub = "一二三四".index(re.search(r"\((.)\)", clause.locator).group(1))
            assert clause.path[1] == SUBSECTIONS[sub], clause.locator
            assert clause.path[0].startswith(clause.locator[:2])


def test_ruian_2023_export_credit_insurance_clause(corpus):
    clause = by_locator(corpus[RUIAN_2023][1])["六、(二)3"]
    assert clause.path == ("六、扩大内需和对外开放领域", "（二）承接举措")
    assert clause.number == "3" and clause.title == "加大外贸支持力度"
    assert "给予保费60%的补助" in clause.text and "单个企业补贴不超过150万元" in clause.text
    assert clause.responsible_units == ("市经信局", "市商务局", "市金融工作服务中心", "人行瑞安市支行")
    assert clause.lead_department == "市商务局"
    assert "努力扩大进口贸易" not in clause.text
    assert clause.clause_id == "ruian-2023-work-plan:六、(二)3"


def test_glued_heading_starts_its_own_subsection(corpus):
    """`…(责任单位: …)(三)保障措施。` in domain 三: `1. 强化要素支撑` is not part of (二)."""
    clauses = by_locator(corpus[RUIAN_2023][1])
    support = clauses["三、(三)1"]
    assert support.title == "强化要素支撑"
    assert support.path == ("三、“321”产业集群培育领域", "（三）保障措施")
    assert "保障措施" not in clauses["三、(二)5"].text
    assert clauses["一、(二)"].text.endswith("（责任单位：市发改局）")


def test_lead_units_follow_the_star(corpus):
    clauses = by_locator(corpus[RUIAN_2023][1])
    assert clauses["一、(四)1"].lead_unit == "市发改局"
    assert clauses["一、(四)1"].responsible_units[-1] == "人行瑞安市支行"  # the `带*的…` note is not a unit
    assert clauses["七、(四)3"].lead_unit == "市发改局、经济开发区"
    draft = by_locator(corpus[DRAFT_2025][1])
    assert draft["(十六)"].lead_unit == "市商务局"
    assert draft["(十六)"].responsible_units[0] == "市发改局"


@pytest.mark.parametrize("doc_id", [RUIAN_2023, DRAFT_2025, WENZHOU, YUEQING])
def test_no_measure_holds_the_next_measures_lead_phrase(corpus, doc_id):
    found = measures(corpus[doc_id][1])
    for current, following in pairwise(found):
        assert f"{following.title}。" not in current.text, (current.locator, following.title)


def test_repairs_page_breaks_spaces_and_stranded_units(corpus):
    clauses = by_locator(corpus[RUIAN_2023][1])
    assert "民生设施领域资金13.93亿元" in clauses["一、(三)1"].text
    assert clauses["一、(四)3"].text.endswith("（责任单位：市自然资源和规划局）")
    assert "预算安排1.61亿元" in clauses["三、(三)1"].text
    assert "3.0瑞安分市场" in clauses["二、(二)6"].text
    assert "瑞安500kv输变电工程" in clauses["一、(二)"].text
    assert clauses["二、(二)2"].responsible_units[0] == "市委组织部〈人才办〉"
    wenzhou = by_locator(corpus[WENZHOU][1])
    assert "积极组织申报省级重大科技项目" in wenzhou["10"].text
    assert "持续完善生育支持政策" in wenzhou["61"].text  # sentence after a page break stays in measure 61
    assert wenzhou["61"].responsible_units[0] == "市卫生健康委"


@pytest.mark.parametrize("doc_id", [RUIAN_2023, DRAFT_2025, WENZHOU, YUEQING, REPORT])
def test_clean_text_has_no_extraction_damage(corpus, doc_id):
    for clause in corpus[doc_id][1]:
        text = clause.text
        assert not re.search(r"[\u4e00-\u9fff] +|[ ]+[\u4e00-\u9fff]", text), text
        assert not re.search(r"[\u4e00-\u9fff][(),;:]|[(),;:][\u4e00-\u9fff]", text), text
        assert '"' not in text and not text.startswith("- ")
        assert "抄送" not in text and "此件公开发布" not in text


def test_report_yields_lead_phrase_paragraphs_and_glossary_entries(corpus):
    doc, clauses = corpus[REPORT]
    assert not measures(clauses)
    service = next(c for c in clauses if c.text.startswith("大力实施“服务暖心”工程。"))
    assert service.kind == "paragraph" and service.title == "大力实施“服务暖心”工程"
    assert service.path == ("二、2023年主要目标任务和重点工作", "（一）大抓稳进提质，坚定走好经济体系现代化之路")
    glossary = [c for c in clauses if c.kind == "glossary"]
    assert len(glossary) == 12 and glossary[0].title == "经济振兴“八提攻坚”行动"
    assert all(c.path == ("名词解释",) for c in glossary)
    assert not any("原文如下" in c.text or "链接" in c.text for c in clauses)


DOC_FACTS = {
    RUIAN_2023: ("瑞安市承接落实上级推动经济高质量发展若干政策工作方案", "瑞政发[2023]9号", "瑞安市人民政府",
                 "瑞安市", 2023, "2023-02-27", "issued", "2023-12-31"),
    DRAFT_2025: ("瑞安市承接落实省、温州市推动经济高质量发展若干政策（2025年版）工作方案（征求意见稿）", "", "",
                 "瑞安市", 2025, "", "draft", "2025-12-31"),
    REPORT: ("政府工作报告", "", "瑞安市人民政府", "瑞安市", 2023, "2023-04-17", "issued", ""),
    WENZHOU: ("温州市进一步推动经济高质量发展若干政策", "温政办〔2024〕11号", "温州市人民政府办公室", "温州市", 2024,
              "2024-02-23", "issued", "2024-12-31"),
    YUEQING: ("关于推动经济高质量发展的若干政策", "乐政发〔2023〕6号", "乐清市人民政府", "乐清市", 2023,
              "2023-04-03", "issued", "2023-12-31"),
}


@pytest.mark.parametrize("doc_id", sorted(DOC_FACTS))
def test_document_metadata(corpus, doc_id):
    doc = corpus[doc_id][0]
    facts = (doc.title, doc.doc_number, doc.issuer, doc.region, doc.year, doc.date, doc.status, doc.valid_until)
    assert facts == DOC_FACTS[doc_id]
    if doc.valid_until:
        assert doc.validity == f"均为{doc.year}年全年实施有效"
    assert len(doc.content_hash) == 64


def test_clause_ids_are_unique_and_stable(corpus):
    ids = [c.clause_id for _, clauses in corpus.values() for c in clauses]
    assert len(ids) == len(set(ids))
    again = load_clauses(BUNDLED_CORPUS / f"{RUIAN_2023}.txt")
    assert [c.clause_id for c in again] == [c.clause_id for c in corpus[RUIAN_2023][1]]
    assert [c.ordinal for c in again] == list(range(len(again)))


@pytest.mark.parametrize("doc_id", [RUIAN_2023, DRAFT_2025, WENZHOU, YUEQING, REPORT])
def test_no_body_text_is_lost(corpus, doc_id):
    """Every piece of every body line (headings aside) is in some clause, repaired but verbatim."""
    from ingest.markers import find_marker
    from ingest.repair import match_key, repair_text
    from ingest.sections import split_parts
    from ingest.structure import split_glued

    text = (BUNDLED_CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")
    everything = match_key("".join(c.text for c in corpus[doc_id][1]))
    for line in split_parts(text).body:
        for piece, _ in split_glued(line):
            if find_marker(piece) and len(piece) <= 50 and "。" not in piece.rstrip("。"):
                continue  # a heading: it lives in the paths
            if piece.strip() == "名词解释":
                continue
            assert match_key(repair_text(piece)) in everything, piece
