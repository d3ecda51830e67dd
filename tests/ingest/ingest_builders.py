"""Build the same document as DOCX, PDF and HTML inside the tests (no binary fixtures in the repo)."""
from __future__ import annotations

import html
from pathlib import Path


def source_lines(path: Path) -> list[str]:
    """The non-empty lines of a corpus text file, as written (damage included)."""
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def build_docx(lines: list[str], target: Path) -> Path:
    """One Word paragraph per line, with a page header and footer that must not be read as body."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "瑞安市人民政府文件（页眉）"
    section.footer.paragraphs[0].text = "第 1 页"
    for line in lines:
        document.add_paragraph(line)
    document.save(target)
    return target


def build_html(lines: list[str], target: Path) -> Path:
    """A government web page: navigation, header, footer and scripts around the content."""
    body = "\n".join(f"<p>{_with_inline_markup(line)}</p>" for line in lines)
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策文件</title>
<style>p {{ margin: 0 }}</style><script>var nav = "首页 > 政策文件";</script></head>
<body><header><div>瑞安市人民政府门户网站</div></header>
<nav><ul><li>首页</li><li>政务公开</li><li>1. 政策解读</li></ul></nav>
<main><article>{body}</article></main>
<aside>相关链接：温州市人民政府</aside>
<footer><p>主办单位：瑞安市人民政府办公室 版权所有</p></footer></body></html>"""
    target.write_text(page, encoding="utf-8")
    return target


def _with_inline_markup(text: str) -> str:
    """Wrap the first few characters in inline tags, as pages do; the text must come out whole."""
    if len(text) <= 8:
        return html.escape(text)
    return f"<span>{html.escape(text[:4])}</span><b>{html.escape(text[4:8])}</b>{html.escape(text[8:])}"


def build_pdf(lines: list[str], target: Path) -> Path:
    """An A4 PDF in reportlab's built-in CJK font: wrapped lines, page breaks, running header, page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK",
                           spaceAfter=4)

    def furniture(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(72, A4[1] - 40, "瑞安市人民政府文件")
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")

    story = [Paragraph(html.escape(line), style) for line in lines]
    SimpleDocTemplate(str(target), pagesize=A4, topMargin=60, bottomMargin=60).build(
        story, onFirstPage=furniture, onLaterPages=furniture)
    return target


def docx_with_document_xml(document_xml: bytes, path: Path) -> Path:
    """A DOCX whose word/document.xml is replaced by the given bytes (broken or hostile XML)."""
    import io
    import zipfile

    import docx

    base = docx.Document()
    base.add_paragraph("1. 支持外贸企业发展。")
    buffer = io.BytesIO()
    base.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = document_xml if item.filename == "word/document.xml" else source.read(item.filename)
            out.writestr(item.filename, data)
    return path


WORD_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def entity_bomb_xml(levels: int = 9) -> bytes:
    """The "billion laughs" document: nested entities that would expand to gigabytes."""
    entities = b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10) for i in range(1, levels + 1))
    return (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol0 "lol">' + entities + b"]>"
            b"<w:document " + WORD_NS + b"><w:body><w:p><w:r><w:t>&lol%d;</w:t></w:r></w:p></w:body></w:document>"
            % levels)
