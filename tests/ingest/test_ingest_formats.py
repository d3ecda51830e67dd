"""The same document as DOCX, PDF, HTML and GB18030 text yields the same clauses as the UTF-8 text."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import load_clauses, load_document
from policyqa.config import BUNDLED_CORPUS

from .ingest_builders import build_docx, build_html, build_pdf, source_lines
from .ingest_helpers import shape

RUIAN_2023 = BUNDLED_CORPUS / "ruian-2023-work-plan.txt"
WENZHOU = BUNDLED_CORPUS / "wenzhou-2024-policies.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("formats")


@pytest.mark.parametrize("source", [RUIAN_2023, WENZHOU], ids=["ruian-2023", "wenzhou-2024"])
def test_docx_yields_the_same_clauses(built, source):
    target = build_docx(source_lines(source), built / f"{source.stem}.docx")
    assert shape(load_clauses(target)) == shape(load_clauses(source))


@pytest.mark.parametrize("source", [RUIAN_2023, WENZHOU], ids=["ruian-2023", "wenzhou-2024"])
def test_html_yields_the_same_clauses(built, source):
    target = build_html(source_lines(source), built / f"{source.stem}.html")
    clauses = load_clauses(target)
    assert shape(clauses) == shape(load_clauses(source))
    assert not any("版权所有" in c.text or "政务公开" in c.text or "相关链接" in c.text for c in clauses)


@pytest.mark.parametrize("source", [RUIAN_2023, WENZHOU], ids=["ruian-2023", "wenzhou-2024"])
def test_pdf_with_wrapping_and_page_breaks_yields_the_same_clauses(built, source):
    target = build_pdf(source_lines(source), built / f"{source.stem}.pdf")
    doc, clauses = load_document(target)
    assert shape(clauses) == shape(load_clauses(source))
    expected_doc = load_document(source)[0]
    assert (doc.title, doc.doc_number, doc.date, doc.valid_until) == (
        expected_doc.title, expected_doc.doc_number, expected_doc.date, expected_doc.valid_until)


def test_gb18030_copy_yields_the_same_clauses(tmp_path):
    copy = tmp_path / RUIAN_2023.name
    copy.write_bytes(RUIAN_2023.read_text(encoding="utf-8").encode("gb18030"))
    assert [c.clause_id for c in load_clauses(copy)] == [c.clause_id for c in load_clauses(RUIAN_2023)]
    assert shape(load_clauses(copy)) == shape(load_clauses(RUIAN_2023))


def test_utf8_with_bom_yields_the_same_clauses(tmp_path):
    copy = tmp_path / WENZHOU.name
    copy.write_bytes(b"\xef\xbb\xbf" + WENZHOU.read_bytes())
    assert shape(load_clauses(copy)) == shape(load_clauses(WENZHOU))


def test_same_file_elsewhere_keeps_its_clause_ids(tmp_path):
    copy = tmp_path / WENZHOU.name
    shutil.copy(WENZHOU, copy)
    assert [c.clause_id for c in load_clauses(copy)] == [c.clause_id for c in load_clauses(WENZHOU)]


def test_deeply_nested_html_keeps_its_text_and_skips_page_chrome() -> None:
    from ingest.load_html import load_html

    deep = ("<html><body>" + "<div>" * 20_000 + "1. 支持外贸企业。" + "</div>" * 20_000 + "</body></html>").encode()
    assert load_html(deep, "deep.html").strip() == "1. 支持外贸企业。"  # libxml2 would drop text below depth 256
    page = ('<html><body><nav>菜单</nav><header role="banner">页头</header><main><h1>标题</h1>'
            "<p>第一段<br>续行</p><div>内容<p>嵌套</p>尾巴</div><script>x=1</script></main>"
            "<footer>页脚</footer></body></html>").encode()
    assert load_html(page, "page.html").split() == ["标题", "第一段", "续行", "内容", "嵌套", "尾巴"]
    unclosed = "<html><body><main><p>一<p>二</div></main>外面</body></html>".encode()
    assert load_html(unclosed, "u.html").split() == ["一", "二"]
