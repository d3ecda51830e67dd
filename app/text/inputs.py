"""Turning what a user typed into a question fit for retrieval, with notes on what was changed."""
from __future__ import annotations

import html
import re
import unicodedata

from index.tokenize import to_simplified
from policyqa.errors import UserError

MAX_QUESTION_CHARS = 300
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Only real markup: "<b>", "</p>", "<br/>", "<a href=…>", "<!-- … -->" — never "营收<2000万元" or "利润>0".
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,200})?/?>", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKDOWN = re.compile(r"(```|`|\*\*|__|^#{1,6}\s|^>\s|!?\[([^\]]*)\]\([^)]*\))", re.MULTILINE)
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate (half a character pair, unencodable) shown as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _markdown_text(match: re.Match[str]) -> str:
    return match.group(2) or " "  # keep a link's text, drop its address


def prepare_question(question: str | None) -> tuple[str, tuple[str, ...]]:
    """The retrieval query for `question` and notes for the user; UserError when there is none."""
    if question is None or not question.strip():
        raise UserError("问题不能为空，请输入想了解的政策问题，例如“外贸企业出口信用保险补助比例是多少”。")
    notes: list[str] = []
    text = html.unescape(question)
    if _SURROGATE.search(text):  # half of a character pair: cannot be printed or stored
        text = without_surrogates(text)
        notes.append("问题中有无法识别的字符，已替换为“\ufffd”。")
    cleaned = _MARKDOWN.sub(_markdown_text, _TAG.sub(" ", _SCRIPT.sub(" ", text)))
    if cleaned != text:
        notes.append("已忽略问题中的网页标记或排版符号。")
    query = _SPACES.sub(" ", cleaned).strip()
    if not query:
        raise UserError("问题中只有网页标记或排版符号，没有可检索的文字，请直接用中文写出问题。")
    half_width = unicodedata.normalize("NFKC", query)
    query = to_simplified(half_width)  # what the documents are written in
    if query != half_width:
        notes.append("已按简体字检索。")
    if len(query) > MAX_QUESTION_CHARS:
        notes.append(f"问题较长（{len(query)}字），已按前{MAX_QUESTION_CHARS}字检索。")
        query = query[:MAX_QUESTION_CHARS]
    if not _CJK.search(query):
        notes.append("本系统检索中文政策文件，请尽量用中文提问。")
    return query, tuple(notes)
