"""HTML loader: the page's content only; navigation, page header and footer, scripts and styles dropped."""
from __future__ import annotations

from bs4 import BeautifulSoup

from ingest.load_txt import decode_text
from policyqa.errors import BadFileError

_NOT_CONTENT = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
                "iframe", "svg", "button", "select")
_BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "main", "blockquote", "pre", "dd", "dt", "td", "th", "title")
_CHROME_ROLES = ("navigation", "banner", "contentinfo", "search", "menu")


def load_html(raw: bytes, name: str) -> str:
    """Text of an .html/.htm file, one block element per line."""
    soup = BeautifulSoup(decode_text(raw, name), "lxml")
    for tag in soup.find_all(_NOT_CONTENT):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": _CHROME_ROLES}):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    for br in root.find_all("br"):
        br.replace_with("\n")
    for block in root.find_all(_BLOCKS):
        block.append("\n")
    text = root.get_text()
    if not text.strip():
        raise BadFileError(f"{name}：网页中没有正文内容（no content in the page）")
    return text
