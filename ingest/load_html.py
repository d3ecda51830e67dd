"""HTML loader: the page's content only; navigation, page header and footer, scripts and styles dropped.

One pass over the standard library's HTML tokenizer with a stack of open tags, so the time is
linear in the page, however deeply it nests (a tree library's "append to this element" walks down
to the element's last descendant: quadratic on deep pages; libxml2 drops text below depth 256).
"""
from __future__ import annotations

from html.parser import HTMLParser

from ingest.load_txt import decode_text
from policyqa.errors import BadFileError

_NOT_CONTENT = frozenset(("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
                          "iframe", "svg", "button", "select"))
_BLOCKS = frozenset(("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
                     "article", "main", "blockquote", "pre", "dd", "dt", "td", "th", "title"))
_CHROME_ROLES = frozenset(("navigation", "banner", "contentinfo", "search", "menu"))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"))
_ROOTS = ("main", "article", "body")  # the content root, in order of preference


class _ContentText(HTMLParser):
    """Collects the text of the page's content, one block element per line, per content root."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, whether it starts a skipped region)
        self.skipping = 0
        self.inside = {root: 0 for root in _ROOTS}
        self.seen = {root: False for root in _ROOTS}
        self.parts: dict[str, list[str]] = {root: [] for root in (*_ROOTS, "")}

    def _emit(self, text: str) -> None:
        if self.skipping:
            return
        self.parts[""].append(text)
        for root in _ROOTS:
            if self.inside[root]:
                self.parts[root].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")
            return
        if tag in _VOID:
            return
        skipped = tag in _NOT_CONTENT or dict(attrs).get("role") in _CHROME_ROLES
        if tag in _BLOCKS:
            self._emit("\n")  # a block starts a line, even where an unclosed <p> runs on
        self.stack.append((tag, skipped))
        self.skipping += skipped
        if tag in self.inside and not self.skipping:
            self.inside[tag] += 1
            self.seen[tag] = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _ in self.stack):
            return  # a stray end tag: ignored, as browsers do
        while self.stack:  # close everything left open inside it (amortised: each tag pops once)
            open_tag, skipped = self.stack.pop()
            if open_tag in _BLOCKS:
                self._emit("\n")
            if open_tag in self.inside and not self.skipping and self.inside[open_tag]:
                self.inside[open_tag] -= 1
            self.skipping -= skipped
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def text(self) -> str:
        """The text of <main>, else <article>, else <body>, else the whole page."""
        root = next((r for r in _ROOTS if self.seen[r]), "")
        return "".join(self.parts[root])


def load_html(raw: bytes, name: str) -> str:
    """Text of an .html/.htm file, one block element per line."""
    parser = _ContentText()
    parser.feed(decode_text(raw, name))
    parser.close()
    text = parser.text()
    if not text.strip():
        raise BadFileError(f"{name}：网页中没有正文内容（no content in the page）")
    return text
