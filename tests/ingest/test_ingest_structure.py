"""Finding structure on small texts: numbering styles, glued headings, restarts, in-sentence references."""
from __future__ import annotations

from pathlib import Path

from ingest.markers import STYLE_ARTICLE, STYLE_CN_IS, find_marker
from ingest.pipeline import document_from_text
from ingest.structure import parse_paragraphs


def _clauses(text: str):
    return document_from_text(Path("sample.txt"), text.encode(), text)[1]


def test_markers_of_every_style():
    assert find_marker("第三条 企业应当").style == STYLE_ARTICLE
    assert find_marker("一是加大投入").style == STYLE_CN_IS
    assert find_marker("1．加大").value == 1 and find_marker("（12）加大").value == 12
    assert find_marker("（二十六）积极").number == "二十六"
    assert find_marker("2.9%以上") is None and find_marker("3. 0 瑞安分市场") is None
    assert find_marker("2023年全市") is None


def test_levels_nest_and_paths_follow():
    text = "一、总体要求\n（一）目标任务。\n到2025年，基本建成。\n（二）主要措施。\n1.加大投入。市财政安排资金。\n（1）设备补助。按20%补助。\n（2）贷款贴息。按50%贴息。\n2.强化保障。加强考核。\n二、组织实施\n各部门要抓好落实。"
    clauses = _clauses(text)
    assert [c.locator for c in clauses] == ["一、(一)", "1", "一、(二)1(1)", "一、(二)1(2)", "2", "二、"]
    item = clauses[2]
    assert item.path == ("一、总体要求", "（二）主要措施", "1.加大投入") and item.number == "1"
    assert clauses[-1].path == ("二、组织实施",) and clauses[-1].kind == "prose"


def test_articles_chapters_and_in_sentence_references():
    text = "第一章 总则\n第一条 为规范管理，制定本办法。\n第二条 企业申请补助的，应当按照\n第三条规定提交材料。\n第二章 补助\n第三条 补助标准为20%。"
    clauses = _clauses(text)
    assert [c.number for c in clauses] == ["一", "二", "三"]
    assert clauses[1].text == "第二条企业申请补助的，应当按照第三条规定提交材料。"
    assert clauses[2].path == ("第二章补助",)


def test_yi_shi_enumeration():
    clauses = _clauses("一、重点任务\n一是加大投入，安排资金1亿元。\n二是强化保障，落实用地。\n三是优化服务，压缩时限。")
    assert [c.number for c in clauses] == ["一", "二", "三"]
    assert clauses[1].text == "二是强化保障，落实用地。"


def test_glued_heading_is_split_off():
    text = ("一、扩大投资领域(由市发改局牵头实施)\n(一)目标任务。\n完成投资300亿元。\n(二)承接举措。\n推进重点领域投资。(责任单位:市发改局)(三)保障措施。\n"
            "1. 加大财政支持力度。安排资金。(责任单位:市财政局)")
    clauses = _clauses(text)
    assert [c.locator for c in clauses] == ["一、(一)", "一、(二)", "1"]
    assert clauses[1].text == "推进重点领域投资。（责任单位：市发改局）"
    assert clauses[2].path == ("一、扩大投资领域", "（三）保障措施") and clauses[1].lead_department == "市发改局"


def test_restart_at_one_without_heading_starts_a_new_group():
    text = ("一、科技领域\n（一）承接举措。\n1.支持攻关。给予补助。\n2.引育人才。给予奖励。\n"
            "1.加大财政支持。安排资金。\n2.强化政策扶持。落实政策。")
    clauses = _clauses(text)
    assert [c.path[-1] for c in clauses] == ["（一）承接举措", "（一）承接举措", "（二）[标题缺失]", "（二）[标题缺失]"]
    assert len({c.locator for c in clauses}) == 4


def test_sentence_broken_across_lines_is_joined():
    paragraphs = parse_paragraphs(["1.加大财政支持力度。市财政", "2023年预算安排", "31.15亿元。", "(责任单位: 市财政局)",
                                   "2.强化用地保障。供应用地。"])
    assert len(paragraphs) == 2
    assert paragraphs[0].text == "1.加大财政支持力度。市财政2023年预算安排31.15亿元。(责任单位: 市财政局)"


def test_number_that_does_not_continue_the_numbering_is_text():
    clauses = _clauses("1.第一项。内容。\n2.第二项。达到\n5.0以上标准的，给予奖励。\n3.第三项。内容。")
    assert [c.number for c in clauses] == ["1", "2", "3"]
    assert "达到5.0以上标准的" in clauses[1].text


def test_an_undated_policy_is_of_the_year_it_takes_effect_and_its_validity_ends_at_the_line(tmp_path) -> None:
    from ingest.pipeline import load_document

    path = tmp_path / "digital.txt"
    path.write_text("关于支持数字经济发展的若干政策\n一、支持企业上云\n1. 对企业上云给予补助，最高10万元。\n"
                    "2. 支持数据要素市场建设。\n本政策自2024年6月1日起施行，有效期至2099年12月31日\n附件：申报指南\n",
                    encoding="utf-8")
    doc, _ = load_document(path)
    assert doc.year == 2024 and doc.date == "" and doc.valid_until == "2099-12-31"
    assert doc.validity == "本政策自2024年6月1日起施行，有效期至2099年12月31日"


NOTICE = """台州市人民政府关于印发台州市促进民营经济高质量发展若干措施的通知
台政发〔2024〕5号
各县（市、区）人民政府，市政府直属各单位：
《台州市促进民营经济高质量发展若干措施》已经市政府同意，现印发给你们，请认真贯彻执行。
台州市人民政府
2024年3月15日
台州市促进民营经济高质量发展若干措施
为进一步激发民营经济发展活力，制定以下措施。
一、加大财政支持
1. 对首次认定的国家级专精特新“小巨人”企业给予一次性奖励50万元。
2. 对新上规模以上工业企业给予奖励10万元。
二、优化融资服务
3. 对企业贷款贴息，贴息比例不超过50%。
本措施自2024年4月1日起施行，有效期至2026年12月31日。
"""


def test_a_notice_carrying_its_policy_keeps_the_policy_s_structure(tmp_path) -> None:
    from ingest.pipeline import load_document

    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    doc, clauses = load_document(path)
    assert doc.title == "台州市促进民营经济高质量发展若干措施" and doc.doc_number == "台政发〔2024〕5号"
    assert doc.issuer == "台州市人民政府" and doc.date == "2024-03-15" and doc.valid_until == "2026-12-31"
    assert [c.number for c in clauses if c.number] == ["1", "2", "3"]
    assert clauses[1].path == ("一、加大财政支持",)
    glued = [c.text for c in clauses if "台州市人民政府" in c.text or "2024年3月15日" in c.text]
    assert not glued, glued  # the signature and date are the notice's, not a clause's


def test_a_title_line_stops_before_the_document_number_line() -> None:
    from ingest.sections import join_title

    assert join_title(["关于加快推进数字化改革工作的实施意见（试行）", "温政发〔2024〕3号"]) == \
        "关于加快推进数字化改革工作的实施意见（试行）"
    assert join_title(["关于加快推进数字化改革", "工作的实施意见"]) == "关于加快推进数字化改革工作的实施意见"
